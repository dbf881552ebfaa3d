/** Central Server admin API routes (central-server-admin-api.yaml) over the sandbox model. */
import type { ClientId, ManagementRequest, ManagementRequestListView, ManagementRequestType, SecurityServerId } from '../api/types/cs.js';
import { MANAGEMENT_REQUEST_STATUSES, MANAGEMENT_REQUEST_TYPES } from '../api/types/cs.js';
import { ApiError, bad, conflict, notFound, type Resp, type Route } from './http.js';
import { derToPem, pemToDer } from '../pki/encoding.js';
import { certInfo, certificateDetails, certInputToDer } from './certs.js';
import { APPROVABLE, Engine, profileClass, sha224Hex } from './engine.js';
import { parseClientId, serverIdOf, type CsMember, type CsServer, type MgmtRequest } from './model.js';
import { parseMultipart } from './multipart.js';
import { profileByClass } from './profiles.js';
import { parseCertificate, type ParsedCertificate } from '../pki/x509.js';
import { enumOf, identifierPart, obj, optStr, qBool, qEnum, qInt, springBool, springInt, str } from './validate.js';

import { CS_ROLES } from './cs-roles.js';
import { anchorXml } from './cs-anchor.js';
import { csInitialized, csSetupRoutes, requireCsInitialized } from './cs-setup.js';
import { csSigningRoutes } from './cs-signing.js';

export { CS_ROLES };
const { SO, RO, SYS, MS } = CS_ROLES;
const VIEW = [SO, RO, SYS];
const TYPES = MANAGEMENT_REQUEST_TYPES;
const STATUSES = MANAGEMENT_REQUEST_STATUSES;
const ORIGINS = ['CENTER', 'SECURITY_SERVER'] as const;
const ok = (body?: unknown, status = 200): Resp => ({ status, body });

export { anchorXml } from './cs-anchor.js';

export function csRoutes(e: Engine): Route[] {
  const st = e.st;
  const cs = st.cs;
  const inst = st.instance;
  const iso = () => e.clock.now().toISOString();

  const memberIdObj = (cls: string, code: string, sub?: string): ClientId => ({
    instance_id: inst,
    type: sub ? 'SUBSYSTEM' : 'MEMBER',
    member_class: cls,
    member_code: code,
    ...(sub ? { subsystem_code: sub } : {}),
    encoded_id: [inst, cls, code, ...(sub ? [sub] : [])].join(':'),
  });
  const serverIdObj = (id: string): SecurityServerId => {
    const [i, cls, code, sc] = id.split(':') as [string, string, string, string];
    return { instance_id: i, type: 'SERVER', member_class: cls, member_code: code, server_code: sc, encoded_id: id };
  };
  const clientIdObj = (id: string): ClientId => {
    const p = parseClientId(id)!;
    return memberIdObj(p.memberClass, p.memberCode, p.subsystemCode);
  };
  const member = (id: string): CsMember => {
    const p = parseClientId(id);
    if (!p || p.subsystemCode) throw bad('invalid_member_id', id);
    const m = e.csMember(id);
    if (!m) throw notFound('member_not_found', id);
    return m;
  };
  const server = (id: string): CsServer => {
    if (id.split(':').length !== 4) throw bad('invalid_encoded_id', id);
    const s = e.csServer(id);
    if (!s) throw notFound('security_server_not_found', id);
    return s;
  };
  const clientView = (m: CsMember) => ({ member_name: m.name, client_id: memberIdObj(m.memberClass, m.memberCode) });
  const serverView = (s: CsServer) => {
    const owner = cs.members.find((m) => m.memberClass === s.ownerClass && m.memberCode === s.ownerCode);
    return {
      server_address: s.address,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      server_id: serverIdObj(serverIdOf(inst, s)),
      owner_name: owner?.name ?? s.ownerCode,
      in_maintenance_mode: s.maintenance,
      ...(s.maintenanceMessage ? { maintenance_mode_message: s.maintenanceMessage } : {}),
    };
  };
  const reqView = (r: MgmtRequest): ManagementRequest => {
    const v: ManagementRequest = { id: r.id, type: r.type, origin: r.origin, security_server_id: r.serverId, created_at: r.createdAt, updated_at: r.updatedAt };
    const [, cls, code] = r.serverId.split(':');
    const owner = cs.members.find((m) => m.memberClass === cls && m.memberCode === code);
    v.security_server_owner = owner?.name ?? code;
    if (r.status) v.status = r.status;
    if (r.address !== undefined) v.server_address = r.address;
    if (r.authCertB64) v.authentication_certificate = r.authCertB64;
    if (r.clientId) v.client_id = r.clientId;
    if (r.subsystemName) v.subsystem_name = r.subsystemName;
    return v;
  };
  const listView = (r: MgmtRequest): ManagementRequestListView & { comments?: string; certificate_details?: unknown } => {
    const [, cls, code] = r.serverId.split(':');
    const owner = cs.members.find((m) => m.memberClass === cls && m.memberCode === code);
    const v: ManagementRequestListView = {
      id: r.id,
      type: r.type,
      origin: r.origin,
      security_server_owner: owner?.name ?? code,
      security_server_id: serverIdObj(r.serverId),
      created_at: r.createdAt,
    };
    if (r.address !== undefined) v.address = r.address;
    if (r.status) v.status = r.status;
    if (r.clientId) {
      v.client_id = clientIdObj(r.clientId);
      const cp = parseClientId(r.clientId)!;
      const cm = cs.members.find((m) => m.memberClass === cp.memberClass && m.memberCode === cp.memberCode);
      if (cm) v.client_owner_name = cm.name;
      if (r.subsystemName) v.client_subsystem_name = r.subsystemName;
    }
    return v;
  };
  const findReq = (idStr: string): MgmtRequest => {
    const n = springInt(idStr);
    if (typeof n !== 'number' || n < 1)
      throw new ApiError(400, 'validation_failure', [`management_request_id: ${idStr}`], undefined, { management_request_id: ['TypeMismatch'] });
    const r = cs.requests.find((x) => x.id === n);
    if (!r) throw notFound('management_request_not_found', idStr);
    return r;
  };
  // `offset` is a page index, as on the real server (Spring's PageRequest.of(offset, limit)), not an item offset
  const paged = <T>(items: T[], q: URLSearchParams) => {
    const limit = qInt(q, 'limit', 25, 1);
    const offset = qInt(q, 'offset', 0, 0);
    const page = items.slice(offset * limit, offset * limit + limit);
    return { items: page, paging_metadata: { total_items: items.length, items: page.length, limit, offset } };
  };
  const sortBy = <T>(items: T[], q: URLSearchParams, keys: Record<string, (x: T) => string | number>, def: string) => {
    const sort = q.get('sort') || def;
    if (!/^[a-zA-Z_.]+$/.test(sort) || !keys[sort]) throw new ApiError(400, 'validation_failure', [`sort: ${sort}`], undefined, { sort: ['InvalidValue'] });
    const desc = qBool(q, 'desc', false);
    const f = keys[sort]!;
    return [...items].sort((a, b) => {
      const x = f(a),
        y = f(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
    });
  };
  const csrf = () => e.csChanged();
  const caId = (i: number) => st.cas[i]!.id ?? i + 1;
  const caIdx = (raw: string) => {
    const id = springInt(raw);
    const i = typeof id === 'number' ? st.cas.findIndex((x, j) => (x.id ?? j + 1) === id) : -1;
    if (i < 0) throw notFound('certification_service_not_found', raw);
    return i;
  };
  const nextId = () => Math.max(0, ...st.cas.map((x, j) => x.id ?? j + 1), ...st.cas.flatMap((x) => (x.ocspResponders ?? []).map((r) => r.id)), 1000) + 1;
  const caView = (i: number) => {
    const ca = st.cas[i]!;
    const info = certInfo(pemToDer(ca.certPem));
    return { ca, info };
  };

  const routes: Route[] = [
    // ---------- system ----------
    { method: 'GET', path: '/system/version', op: 'getSystemVersion', roles: 'any', h: () => ok({ info: '7.8.1 (xrdctl sandbox)' }) },
    {
      method: 'GET',
      path: '/system/status',
      op: 'getSystemStatus',
      roles: VIEW,
      h: () =>
        ok({
          initialization_status: {
            instance_identifier: inst,
            central_server_address: cs.address,
            software_token_init_status: csInitialized(e) ? 'INITIALIZED' : 'NOT_INITIALIZED',
          },
          high_availability_status: { is_ha_configured: false, node_name: 'node_0' },
        }),
    },
    {
      method: 'GET',
      path: '/system/high-availability-cluster/status',
      op: 'getHighAvailabilityClusterStatus',
      roles: VIEW,
      h: () => ok({ is_ha_configured: false, node_name: 'node_0', all_nodes_ok: true, nodes: [] }),
    },

    // ---------- member classes ----------
    {
      method: 'GET',
      path: '/member-classes',
      op: 'getMemberClasses',
      roles: VIEW,
      h: () => ok(cs.memberClasses.map((m) => ({ code: m.code, description: m.description }))),
    },
    {
      method: 'POST',
      path: '/member-classes',
      op: 'addMemberClass',
      roles: [SYS],
      write: true,
      h: (c) => {
        const b = c.json();
        const code = identifierPart(str(b, 'code', 'memberClass'), 'memberClass.code');
        const description = str(b, 'description', 'memberClass');
        if (cs.memberClasses.some((m) => m.code === code)) throw conflict('member_class_exists', code);
        cs.memberClasses.push({ code, description });
        csrf();
        return ok({ code, description }, 201);
      },
    },

    // ---------- members / subsystems ----------
    {
      method: 'POST',
      path: '/members',
      op: 'addMember',
      roles: [RO],
      write: true,
      h: (c) => {
        const b = c.json();
        const mid = obj(b, 'member_id', 'memberAdd');
        const cls = identifierPart(str(mid, 'member_class', 'memberAdd.memberId'), 'memberAdd.memberId.memberClass');
        const code = identifierPart(str(mid, 'member_code', 'memberAdd.memberId'), 'memberAdd.memberId.memberCode');
        const name = optStr(b, 'member_name', 'memberAdd') ?? code;
        if (!cs.memberClasses.some((m) => m.code === cls)) throw bad('invalid_member_class', cls);
        if (cs.members.some((m) => m.memberClass === cls && m.memberCode === code)) throw conflict('member_exists', `${inst}:${cls}:${code}`);
        const m: CsMember = { memberClass: cls, memberCode: code, name, createdAt: iso(), subsystems: [] };
        cs.members.push(m);
        csrf();
        return ok(clientView(m), 201);
      },
    },
    { method: 'GET', path: '/members/{member_id}', op: 'getMember', roles: VIEW, h: (c) => ok(clientView(member(c.params.member_id!))) },
    {
      method: 'PATCH',
      path: '/members/{member_id}',
      op: 'updateMemberName',
      roles: [RO],
      write: true,
      h: (c) => {
        const m = member(c.params.member_id!);
        m.name = str(c.json(), 'member_name', 'memberName');
        csrf();
        return ok(clientView(m));
      },
    },
    {
      method: 'DELETE',
      path: '/members/{member_id}',
      op: 'deleteMember',
      roles: [RO],
      write: true,
      h: (c) => {
        const m = member(c.params.member_id!);
        if (cs.servers.some((s) => s.ownerClass === m.memberClass && s.ownerCode === m.memberCode))
          throw conflict('member_owns_security_servers', c.params.member_id!);
        cs.members = cs.members.filter((x) => x !== m);
        const prefix = `${inst}:${m.memberClass}:${m.memberCode}`;
        for (const s of cs.servers) s.clients = s.clients.filter((x) => x !== prefix && !x.startsWith(prefix + ':'));
        csrf();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/members/{member_id}/subsystems',
      op: 'getSubsystems',
      roles: VIEW,
      h: (c) => {
        const m = member(c.params.member_id!);
        return ok(
          m.subsystems.map((s) => {
            const id = `${inst}:${m.memberClass}:${m.memberCode}:${s.code}`;
            return {
              ...(s.name ? { subsystem_name: s.name } : {}),
              subsystem_id: memberIdObj(m.memberClass, m.memberCode, s.code),
              used_security_servers: cs.servers
                .filter((x) => x.clients.includes(id))
                .map((x) => ({ encoded_id: serverIdOf(inst, x), server_code: x.serverCode, server_owner: x.ownerCode, status: 'APPROVED' })),
            };
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/members/{member_id}/owned-servers',
      op: 'getOwnedServers',
      roles: VIEW,
      h: (c) => {
        const m = member(c.params.member_id!);
        return ok(cs.servers.filter((s) => s.ownerClass === m.memberClass && s.ownerCode === m.memberCode).map(serverView));
      },
    },
    {
      method: 'GET',
      path: '/members/{member_id}/used-servers',
      op: 'getUsedServers',
      roles: VIEW,
      h: (c) => {
        const m = member(c.params.member_id!);
        const id = `${inst}:${m.memberClass}:${m.memberCode}`;
        return ok(cs.servers.filter((s) => s.clients.some((x) => x === id || x.startsWith(id + ':'))).map(serverView));
      },
    },
    {
      method: 'GET',
      path: '/members/{member_id}/global-groups',
      op: 'getMemberGlobalGroups',
      roles: VIEW,
      h: (c) => {
        const m = member(c.params.member_id!);
        const id = `${inst}:${m.memberClass}:${m.memberCode}`;
        return ok(cs.globalGroups.filter((g) => g.members.some((x) => x === id || x.startsWith(id + ':'))).map((g) => ({ group_code: g.code })));
      },
    },
    {
      method: 'DELETE',
      path: '/members/{member_id}/servers/{server_id}',
      op: 'unregisterMember',
      roles: [RO],
      write: true,
      h: (c) => {
        const m = member(c.params.member_id!);
        const s = server(c.params.server_id!);
        const id = `${inst}:${m.memberClass}:${m.memberCode}`;
        if (!s.clients.includes(id)) throw notFound('security_server_client_not_found', id);
        e.csAddRequest({ type: 'CLIENT_DELETION_REQUEST', origin: 'CENTER', serverId: serverIdOf(inst, s), clientId: id });
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/subsystems',
      op: 'addSubsystem',
      roles: [RO],
      write: true,
      h: (c) => {
        const b = c.json();
        const sid = obj(b, 'subsystem_id', 'subsystemAdd');
        const cls = str(sid, 'member_class', 'subsystemAdd.subsystemId');
        const code = str(sid, 'member_code', 'subsystemAdd.subsystemId');
        const sub = identifierPart(str(sid, 'subsystem_code', 'subsystemAdd.subsystemId'), 'subsystemAdd.subsystemId.subsystemCode');
        const name = optStr(b, 'subsystem_name', 'subsystemAdd');
        const m = cs.members.find((x) => x.memberClass === cls && x.memberCode === code);
        if (!m) throw notFound('member_not_found', `${inst}:${cls}:${code}`);
        if (m.subsystems.some((s) => s.code === sub)) throw conflict('subsystem_exists', `${inst}:${cls}:${code}:${sub}`);
        m.subsystems.push({ code: sub, name, createdAt: iso() });
        csrf();
        return ok({ member_name: m.name, client_id: memberIdObj(cls, code, sub) }, 201);
      },
    },
    {
      method: 'PATCH',
      path: '/subsystems/{subsystem_id}',
      op: 'updateSubsystemName',
      roles: [RO],
      write: true,
      h: (c) => {
        const p = parseClientId(c.params.subsystem_id!);
        if (!p || !p.subsystemCode) throw bad('invalid_encoded_id', c.params.subsystem_id!);
        const m = e.csMember(`${p.instance}:${p.memberClass}:${p.memberCode}`);
        const s = m?.subsystems.find((x) => x.code === p.subsystemCode);
        if (!m || !s) throw notFound('subsystem_not_found', c.params.subsystem_id!);
        s.name = str(c.json(), 'subsystem_name', 'subsystemName');
        csrf();
        return ok({ member_name: m.name, client_id: memberIdObj(p.memberClass, p.memberCode, p.subsystemCode) });
      },
    },
    {
      method: 'DELETE',
      path: '/subsystems/{subsystem_id}',
      op: 'deleteSubsystem',
      roles: [RO],
      write: true,
      h: (c) => {
        const p = parseClientId(c.params.subsystem_id!);
        if (!p || !p.subsystemCode) throw bad('invalid_encoded_id', c.params.subsystem_id!);
        const m = e.csMember(`${p.instance}:${p.memberClass}:${p.memberCode}`);
        if (!m || !m.subsystems.some((x) => x.code === p.subsystemCode)) throw notFound('subsystem_not_found', c.params.subsystem_id!);
        if (cs.servers.some((s) => s.clients.includes(c.params.subsystem_id!))) throw conflict('subsystem_registered', c.params.subsystem_id!);
        m.subsystems = m.subsystems.filter((x) => x.code !== p.subsystemCode);
        csrf();
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/subsystems/{subsystem_id}/servers/{server_id}',
      op: 'unregisterSubsystem',
      roles: [RO],
      write: true,
      h: (c) => {
        const s = server(c.params.server_id!);
        const id = c.params.subsystem_id!;
        if (!s.clients.includes(id)) throw notFound('security_server_client_not_found', id);
        e.csAddRequest({ type: 'CLIENT_DELETION_REQUEST', origin: 'CENTER', serverId: serverIdOf(inst, s), clientId: id });
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/clients',
      op: 'findClients',
      roles: VIEW,
      h: (c) => {
        const q = c.query;
        const ctype = qEnum(q, 'client_type', ['MEMBER', 'SUBSYSTEM'] as const);
        const all = cs.members.flatMap((m) => [
          { member_name: m.name, client_id: memberIdObj(m.memberClass, m.memberCode) },
          ...m.subsystems.map((s) => ({ member_name: m.name, client_id: memberIdObj(m.memberClass, m.memberCode, s.code) })),
        ]);
        const f = (k: string) => q.get(k) || undefined;
        const qq = f('q')?.toLowerCase(),
          name = f('name')?.toLowerCase(),
          mc = f('member_class'),
          mcode = f('member_code'),
          sub = f('subsystem_code'),
          ssrv = f('security_server');
        const list = all.filter(
          (x) =>
            (!ctype || x.client_id.type === ctype) &&
            (!mc || x.client_id.member_class === mc) &&
            (!mcode || x.client_id.member_code.includes(mcode)) &&
            (!sub || (x.client_id.subsystem_code ?? '').includes(sub)) &&
            (!name || x.member_name.toLowerCase().includes(name)) &&
            (!qq || x.member_name.toLowerCase().includes(qq) || x.client_id.encoded_id!.toLowerCase().includes(qq)) &&
            (!ssrv || !!e.csServer(ssrv)?.clients.includes(x.client_id.encoded_id!)),
        );
        const sorted = sortBy(
          list,
          q,
          { id: (x) => x.client_id.encoded_id!, member_name: (x) => x.member_name, member_code: (x) => x.client_id.member_code },
          'id',
        );
        const p = paged(sorted, q);
        // the spec names the array `clients` but requires `items`: send both (same array)
        return ok({ clients: p.items, items: p.items, paging_metadata: p.paging_metadata });
      },
    },

    // ---------- security servers ----------
    {
      method: 'GET',
      path: '/security-servers',
      op: 'findSecurityServers',
      roles: VIEW,
      h: (c) => {
        const qq = c.query.get('q')?.toLowerCase();
        const list = cs.servers.filter((s) => !qq || serverIdOf(inst, s).toLowerCase().includes(qq) || s.address.toLowerCase().includes(qq)).map(serverView);
        const sorted = sortBy(
          list,
          c.query,
          {
            id: (x) => x.server_id.encoded_id!,
            server_code: (x) => x.server_id.server_code,
            owner_name: (x) => x.owner_name ?? '',
            server_address: (x) => x.server_address,
          },
          'id',
        );
        return ok(paged(sorted, c.query));
      },
    },
    { method: 'GET', path: '/security-servers/{server_id}', op: 'getSecurityServer', roles: VIEW, h: (c) => ok(serverView(server(c.params.server_id!))) },
    {
      method: 'PATCH',
      path: '/security-servers/{server_id}',
      op: 'updateSecurityServerAddress',
      roles: [SYS, RO],
      write: true,
      h: (c) => {
        const s = server(c.params.server_id!);
        s.address = str(c.json(), 'server_address', 'securityServerAddress');
        s.updatedAt = iso();
        csrf();
        return ok(serverView(s));
      },
    },
    {
      method: 'DELETE',
      path: '/security-servers/{server_id}',
      op: 'deleteSecurityServer',
      roles: [RO],
      write: true,
      h: (c) => {
        const s = server(c.params.server_id!);
        const sid = serverIdOf(inst, s);
        for (const cl of [...s.clients]) e.csAddRequest({ type: 'CLIENT_DELETION_REQUEST', origin: 'CENTER', serverId: sid, clientId: cl });
        for (const a of [...s.authCerts]) e.csAddRequest({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'CENTER', serverId: sid, authCertB64: a.derB64 });
        cs.servers = cs.servers.filter((x) => x !== s);
        csrf();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/security-servers/{server_id}/authentication-certificates',
      op: 'getSecurityServerAuthCerts',
      roles: VIEW,
      h: (c) => {
        const s = server(c.params.server_id!);
        return ok(s.authCerts.map((a) => ({ id: a.id, ...certificateDetails(Buffer.from(a.derB64, 'base64')) })));
      },
    },
    {
      method: 'DELETE',
      path: '/security-servers/{server_id}/authentication-certificates/{certificate_id}',
      op: 'deleteSecurityServerAuthCert',
      roles: [RO],
      write: true,
      h: (c) => {
        const s = server(c.params.server_id!);
        const a = s.authCerts.find((x) => String(x.id) === c.params.certificate_id || x.hash === c.params.certificate_id!.toUpperCase());
        if (!a) throw notFound('certificate_not_found', c.params.certificate_id!);
        e.csAddRequest({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'CENTER', serverId: serverIdOf(inst, s), authCertB64: a.derB64 });
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/security-servers/{server_id}/clients',
      op: 'getSecurityServerClients',
      roles: VIEW,
      h: (c) => {
        const s = server(c.params.server_id!);
        const ownerId = `${inst}:${s.ownerClass}:${s.ownerCode}`;
        return ok(
          [ownerId, ...s.clients.filter((x) => x !== ownerId)].map((id) => {
            const p = parseClientId(id)!;
            const m = cs.members.find((x) => x.memberClass === p.memberClass && x.memberCode === p.memberCode);
            return { member_name: m?.name ?? p.memberCode, client_id: clientIdObj(id) };
          }),
        );
      },
    },

    // ---------- certification services ----------
    {
      method: 'GET',
      path: '/certification-services',
      op: 'getCertificationServices',
      roles: [SYS, SO, RO],
      h: () =>
        ok(
          st.cas.map((_ca, i) => {
            const { ca, info } = caView(i);
            return { id: caId(i), name: ca.name, not_after: info.notAfter.toISOString(), not_before: info.notBefore.toISOString() };
          }),
        ),
    },
    {
      method: 'GET',
      path: '/certification-services/{certification_service_id}',
      op: 'getCertificationService',
      roles: [SYS, SO, RO],
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        const { ca, info } = caView(i);
        const dn = info.subject.map((a) => `${a.name}=${a.value}`).join(', ');
        return ok({
          id: caId(i),
          name: ca.name,
          issuer_distinguished_name: dn,
          subject_distinguished_name: dn,
          not_after: info.notAfter.toISOString(),
          not_before: info.notBefore.toISOString(),
          certificate_profile_info: profileClass(ca.profile),
          tls_auth: ca.authenticationOnly,
          ...(ca.defaultCsrFormat ? { default_csr_format: ca.defaultCsrFormat } : {}),
          ...(ca.external
            ? {
                ...(ca.acmeDirectoryUrl ? { acme_server_directory_url: ca.acmeDirectoryUrl } : {}),
                ...(ca.acmeIpAddress ? { acme_server_ip_address: ca.acmeIpAddress } : {}),
              }
            : ca.acme
              ? { acme_server_directory_url: 'https://127.0.0.1/acme/directory', acme_server_ip_address: '127.0.0.1' }
              : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/certification-services',
      op: 'addCertificationService',
      roles: [SYS],
      write: true,
      upload: true,
      h: (c) => {
        const form = parseMultipart(c.contentTypeHeader, c.body);
        const text = (n: string) => form.get(n)?.data.toString('utf8').trim();
        const file = form.get('certificate');
        if (!file || !file.data.length) throw bad('invalid_certificate', 'certificate missing');
        let x: ParsedCertificate;
        try {
          x = parseCertificate(certInputToDer(file.data));
        } catch {
          throw bad('invalid_certificate', 'not an X.509 certificate');
        }
        if (!x.isCa) throw bad('invalid_certificate', 'not a CA certificate (basicConstraints cA missing)');
        const cn = x.subjectFields.find((f) => f.name === 'CN')?.value.trim();
        if (!cn) throw bad('invalid_certificate', 'CA certificate subject has no CN');
        const profileInfo = text('certificate_profile_info');
        if (!profileInfo) throw bad('invalid_certificate_profile_info_class', 'certificate_profile_info missing');
        const profile = profileByClass(profileInfo);
        if (!profile) throw bad('invalid_certificate_profile_info_class', profileInfo);
        const fmt = text('default_csr_format');
        if (fmt !== 'PEM' && fmt !== 'DER') throw bad('validation_failure', 'default_csr_format must be PEM or DER');
        const tlsB = springBool(text('tls_auth'));
        if (tlsB === undefined) throw bad('validation_failure', 'tls_auth must be a boolean');
        const tls = tlsB ? 'true' : 'false';
        const acmeUrl = text('acme_server_directory_url') || undefined;
        if (acmeUrl) {
          try {
            new URL(acmeUrl);
          } catch {
            throw bad('validation_failure', 'acme_server_directory_url is no URL');
          }
        }
        const certPem = derToPem(Buffer.from(x.der), 'CERTIFICATE');
        if (st.cas.some((y) => y.name === cn || y.certPem.replace(/\s/g, '') === certPem.replace(/\s/g, '')))
          throw conflict('certification_service_already_exists', cn);
        const id = nextId();
        st.cas.push({
          id,
          name: cn,
          profile: profile.name,
          defaultCsrFormat: fmt,
          authenticationOnly: tls === 'true',
          keyPem: '',
          certPem,
          revoked: {},
          issued: [],
          ocspUrl: '',
          acme: !!acmeUrl,
          external: true,
          ocspResponders: [],
          ...(acmeUrl ? { acmeDirectoryUrl: acmeUrl } : {}),
          ...(text('acme_server_ip_address') ? { acmeIpAddress: text('acme_server_ip_address') } : {}),
        });
        csrf();
        const info = certInfo(Buffer.from(x.der));
        const dn = info.subject.map((a) => `${a.name}=${a.value}`).join(', ');
        const idn = info.issuer.map((a) => `${a.name}=${a.value}`).join(', ');
        return ok(
          {
            id,
            name: cn,
            issuer_distinguished_name: idn,
            subject_distinguished_name: dn,
            not_after: info.notAfter.toISOString(),
            not_before: info.notBefore.toISOString(),
            certificate_profile_info: profile.className,
            tls_auth: tls === 'true',
            default_csr_format: fmt,
            ...(acmeUrl ? { acme_server_directory_url: acmeUrl } : {}),
            ...(text('acme_server_ip_address') ? { acme_server_ip_address: text('acme_server_ip_address') } : {}),
          },
          201,
        );
      },
    },
    {
      method: 'DELETE',
      path: '/certification-services/{certification_service_id}',
      op: 'deleteCertificationService',
      roles: [SYS],
      write: true,
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        if (!st.cas[i]!.external) throw conflict('certification_service_built_in', "the sandbox's own CAs cannot be deleted");
        st.cas.splice(i, 1);
        csrf();
        return { status: 204 };
      },
    },
    {
      method: 'PATCH',
      path: '/certification-services/{certification_service_id}',
      op: 'updateCertificationService',
      roles: [SYS],
      write: true,
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        const ca = st.cas[i]!;
        const b = c.json();
        if (b.certificate_profile_info !== undefined) {
          const p = typeof b.certificate_profile_info === 'string' ? profileByClass(b.certificate_profile_info) : undefined;
          if (!p) throw bad('invalid_certificate_profile_info_class', String(b.certificate_profile_info));
          ca.profile = p.name;
        }
        if (b.tls_auth !== undefined) {
          const t = typeof b.tls_auth === 'boolean' ? b.tls_auth : typeof b.tls_auth === 'string' ? springBool(b.tls_auth) : undefined;
          if (t === undefined || t === null) throw bad('validation_failure', 'tls_auth');
          ca.authenticationOnly = t;
        }
        if (b.default_csr_format !== undefined) ca.defaultCsrFormat = enumOf(b, 'default_csr_format', 'certificationServiceSettings', ['PEM', 'DER'] as const);
        if (b.acme_server_directory_url !== undefined) {
          const u = b.acme_server_directory_url;
          if (u !== '' && u !== null) {
            try {
              new URL(String(u));
            } catch {
              throw bad('validation_failure', 'acme_server_directory_url');
            }
          }
          if (ca.external) {
            if (u) ca.acmeDirectoryUrl = String(u);
            else delete ca.acmeDirectoryUrl;
            ca.acme = !!u;
          }
        }
        csrf();
        const { info } = caView(i);
        const dn = info.subject.map((a) => `${a.name}=${a.value}`).join(', ');
        return ok({
          id: caId(i),
          name: ca.name,
          issuer_distinguished_name: info.issuer.map((a) => `${a.name}=${a.value}`).join(', '),
          subject_distinguished_name: dn,
          not_after: info.notAfter.toISOString(),
          not_before: info.notBefore.toISOString(),
          certificate_profile_info: profileClass(ca.profile),
          tls_auth: ca.authenticationOnly,
          ...(ca.defaultCsrFormat ? { default_csr_format: ca.defaultCsrFormat } : {}),
          ...(ca.acmeDirectoryUrl ? { acme_server_directory_url: ca.acmeDirectoryUrl } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/certification-services/{certification_service_id}/ocsp-responders',
      op: 'addCertificationServiceOcspResponder',
      roles: [SYS],
      write: true,
      upload: true,
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        const ca = st.cas[i]!;
        if (!ca.external) throw conflict('certification_service_built_in', "the sandbox's own CAs have their own responder");
        const form = parseMultipart(c.contentTypeHeader, c.body);
        const url = form.get('url')?.data.toString('utf8').trim();
        if (!url) throw bad('validation_failure', 'url missing');
        let u: URL;
        try {
          u = new URL(url);
        } catch {
          throw bad('invalid_url', url);
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('invalid_url', url);
        const cost = form.get('cost_type')?.data.toString('utf8').trim() ?? 'UNDEFINED';
        if (!['FREE', 'PAID', 'UNDEFINED'].includes(cost)) throw bad('validation_failure', 'cost_type');
        let certPem: string | undefined;
        const f = form.get('certificate');
        if (f && f.data.length) {
          try {
            certPem = derToPem(certInputToDer(f.data), 'CERTIFICATE');
          } catch {
            throw bad('invalid_certificate', 'OCSP responder certificate');
          }
        }
        const r = { id: nextId(), url, costType: cost, ...(certPem ? { certPem } : {}) };
        (ca.ocspResponders ??= []).push(r);
        csrf();
        return ok({ id: r.id, url: r.url, cost_type: r.costType, has_certificate: !!certPem }, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/ocsp-responders/{ocsp_responder_id}',
      op: 'deleteOcspResponder',
      roles: [SYS],
      write: true,
      h: (c) => {
        const id = springInt(c.params.ocsp_responder_id);
        const ca = st.cas.find((x) => x.ocspResponders?.some((r) => r.id === id));
        if (!ca) throw notFound('ocsp_responder_not_found', c.params.ocsp_responder_id!);
        ca.ocspResponders = ca.ocspResponders!.filter((r) => r.id !== id);
        csrf();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/certification-services/{certification_service_id}/certificate',
      op: 'getCertificationServiceCertificate',
      roles: [SYS, SO, RO],
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        return ok(certificateDetails(pemToDer(st.cas[i]!.certPem)));
      },
    },
    {
      method: 'GET',
      path: '/certification-services/{certification_service_id}/ocsp-responders',
      op: 'getCertificationServiceOcspResponders',
      roles: [SYS, SO, RO],
      h: (c) => {
        const i = caIdx(c.params.certification_service_id!);
        const ca = st.cas[i]!;
        if (ca.external) return ok((ca.ocspResponders ?? []).map((r) => ({ id: r.id, url: r.url, cost_type: r.costType, has_certificate: !!r.certPem })));
        return ok([{ id: caId(i), url: ca.ocspUrl, cost_type: 'FREE', has_certificate: false }]);
      },
    },
    {
      method: 'GET',
      path: '/certification-services/{certification_service_id}/intermediate-cas',
      op: 'getCertificationServiceIntermediateCas',
      roles: [SYS, SO, RO],
      h: (c) => {
        caIdx(c.params.certification_service_id!);
        return ok([]);
      },
    },

    // ---------- global groups ----------
    {
      method: 'GET',
      path: '/global-groups',
      op: 'findGlobalGroups',
      roles: VIEW,
      h: () =>
        ok(
          cs.globalGroups.map((g) => ({
            code: g.code,
            description: g.description,
            member_count: g.members.length,
            created_at: st.createdAt,
            updated_at: st.createdAt,
          })),
        ),
    },
    {
      method: 'GET',
      path: '/global-groups/{group_code}',
      op: 'getGlobalGroup',
      roles: VIEW,
      h: (c) => {
        const g = cs.globalGroups.find((x) => x.code === c.params.group_code);
        if (!g) throw notFound('global_group_not_found', c.params.group_code!);
        return ok({ code: g.code, description: g.description, member_count: g.members.length, created_at: st.createdAt, updated_at: st.createdAt });
      },
    },

    // ---------- configuration anchor ----------
    {
      method: 'GET',
      path: '/configuration-sources/{configuration_type}/anchor',
      op: 'getAnchor',
      roles: [SO, SYS],
      h: (c) => {
        if (!['INTERNAL', 'EXTERNAL'].includes(c.params.configuration_type!)) throw bad('invalid_configuration_type', c.params.configuration_type!);
        const src = c.params.configuration_type as 'INTERNAL' | 'EXTERNAL';
        const xml = Buffer.from(anchorXml(e, src));
        return ok({ anchor: { hash: sha224Hex(xml).match(/../g)!.join(':'), created_at: st.cs.anchors?.[src]?.generatedAt ?? st.createdAt } });
      },
    },
    {
      method: 'GET',
      path: '/configuration-sources/{configuration_type}/anchor/download',
      op: 'downloadAnchor',
      roles: [SO, SYS],
      h: (c) => {
        if (!['INTERNAL', 'EXTERNAL'].includes(c.params.configuration_type!)) throw bad('invalid_configuration_type', c.params.configuration_type!);
        const src = c.params.configuration_type as 'INTERNAL' | 'EXTERNAL';
        return {
          status: 200,
          raw: Buffer.from(anchorXml(e, src)),
          headers: { 'content-type': 'application/xml', 'content-disposition': `attachment; filename="configuration_anchor_${inst}_${src.toLowerCase()}.xml"` },
        };
      },
    },
    {
      method: 'GET',
      path: '/configuration-sources/{configuration_type}/download-url',
      op: 'getDownloadUrl',
      roles: [SO, SYS],
      h: (c) => {
        if (!['INTERNAL', 'EXTERNAL'].includes(c.params.configuration_type!)) throw bad('invalid_configuration_type', c.params.configuration_type!);
        return ok({ url: 'http://127.0.0.1/internalconf' });
      },
    },

    // ---------- management requests ----------
    {
      method: 'GET',
      path: '/management-requests',
      op: 'findManagementRequests',
      roles: [RO, SO, SYS],
      h: (c) => {
        const q = c.query;
        const origin = qEnum(q, 'origin', ORIGINS);
        const status = qEnum(q, 'status', STATUSES);
        const typesRaw = q
          .getAll('types')
          .flatMap((t) => t.split(','))
          .filter(Boolean);
        for (const t of typesRaw)
          if (!TYPES.includes(t as ManagementRequestType))
            throw new ApiError(400, 'validation_failure', [`types: ${t}`], undefined, { types: ['InvalidEnumValue'] });
        const serverId = q.get('server_id') || undefined;
        const qq = q.get('query')?.toLowerCase() || undefined;
        const list = cs.requests.filter(
          (r) =>
            (!origin || r.origin === origin) &&
            (!status || r.status === status) &&
            (!typesRaw.length || typesRaw.includes(r.type)) &&
            (!serverId || r.serverId === serverId) &&
            (!qq ||
              String(r.id) === qq ||
              r.serverId.toLowerCase().includes(qq) ||
              (r.clientId ?? '').toLowerCase().includes(qq) ||
              r.type.toLowerCase().includes(qq)),
        );
        const sorted = sortBy(
          list,
          q,
          {
            id: (r) => r.id,
            created_at: (r) => r.createdAt,
            type: (r) => r.type,
            status: (r) => r.status ?? '',
            origin: (r) => r.origin,
            security_server_id: (r) => r.serverId,
          },
          'id',
        );
        const p = paged(sorted, q);
        return ok({ items: p.items.map(listView), paging_metadata: p.paging_metadata });
      },
    },
    {
      method: 'GET',
      path: '/management-requests/{management_request_id}',
      op: 'getManagementRequest',
      roles: [RO, SO, SYS],
      h: (c) => {
        const r = findReq(c.params.management_request_id!);
        const v: Record<string, unknown> = { ...listView(r) };
        if (r.comments) v.comments = r.comments;
        if (r.authCertB64) v.certificate_details = certificateDetails(Buffer.from(r.authCertB64, 'base64'));
        return ok(v);
      },
    },
    {
      method: 'POST',
      path: '/management-requests',
      op: 'addManagementRequest',
      roles: [RO, MS],
      write: true,
      h: (c) => {
        const b = c.json();
        const type = enumOf(b, 'type', 'managementRequest', TYPES);
        const origin = enumOf(b, 'origin', 'managementRequest', ORIGINS);
        const serverId = str(b, 'security_server_id', 'managementRequest');
        if (origin === 'SECURITY_SERVER') c.requireRole(MS);
        else {
          c.requireRole(RO);
          if (!['AUTH_CERT_REGISTRATION_REQUEST', 'AUTH_CERT_DELETION_REQUEST', 'CLIENT_REGISTRATION_REQUEST', 'CLIENT_DELETION_REQUEST'].includes(type))
            throw new ApiError(403);
        }
        const r: Parameters<Engine['csAddRequest']>[0] = { type, origin, serverId };
        if (type === 'AUTH_CERT_REGISTRATION_REQUEST' || type === 'AUTH_CERT_DELETION_REQUEST') {
          r.authCertB64 = str(b, 'authentication_certificate', 'managementRequest', { max: 100_000 });
          if (type === 'AUTH_CERT_REGISTRATION_REQUEST') r.address = str(b, 'server_address', 'managementRequest');
        } else if (type === 'ADDRESS_CHANGE_REQUEST') r.address = str(b, 'server_address', 'managementRequest');
        else if (type.startsWith('MAINTENANCE')) {
          /* no fields */
        } else {
          r.clientId = str(b, 'client_id', 'managementRequest', { max: 1023 });
          r.subsystemName = optStr(b, 'subsystem_name', 'managementRequest');
        }
        const created = e.csAddRequest(r);
        return ok(reqView(created), created.status === 'APPROVED' || !APPROVABLE.includes(created.type) ? 201 : 202);
      },
    },
    {
      method: 'POST',
      path: '/management-requests/{management_request_id}/approval',
      op: 'approveManagementRequest',
      roles: [RO],
      write: true,
      h: (c) => {
        const r = findReq(c.params.management_request_id!);
        if (!APPROVABLE.includes(r.type)) throw new ApiError(403);
        e.approve(r);
        return ok(reqView(r));
      },
    },
    {
      method: 'DELETE',
      path: '/management-requests/{management_request_id}',
      op: 'revokeManagementRequest',
      roles: [RO],
      write: true,
      h: (c) => {
        const r = findReq(c.params.management_request_id!);
        if (!APPROVABLE.includes(r.type)) throw new ApiError(403);
        if (r.status !== 'WAITING' && r.status !== 'SUBMITTED FOR APPROVAL') throw bad('management_request_invalid_state', String(r.id));
        const lone =
          r.origin === 'CENTER' &&
          !cs.requests.some(
            (x) =>
              x !== r &&
              x.type === r.type &&
              x.status === r.status &&
              x.serverId === r.serverId &&
              x.clientId === r.clientId &&
              x.authCertB64 === r.authCertB64,
          );
        r.status = lone ? 'REVOKED' : 'DECLINED';
        r.updatedAt = iso();
        e.touchRequest(r);
        for (const x of cs.requests)
          if (
            x !== r &&
            x.status === 'SUBMITTED FOR APPROVAL' &&
            x.type === r.type &&
            x.serverId === r.serverId &&
            x.clientId === r.clientId &&
            x.authCertB64 === r.authCertB64
          ) {
            x.status = 'DECLINED';
            e.touchRequest(x);
          }
        return { status: 204 };
      },
    },
  ];
  // before a blank CS is initialised, only the initialisation, status, version and token answer
  return [...routes, ...csSetupRoutes(e), ...csSigningRoutes(e)].map((r) => ({
    ...r,
    h: (c) => {
      requireCsInitialized(e, r.op);
      return r.h(c);
    },
  }));
}
