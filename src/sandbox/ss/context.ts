/**
 * Per-Security-Server helpers shared by the route modules: guards (404/409 on unknown ids and impossible actions),
 * wire views of the model, the CSR and certificate-import cores, and management-request submission to the CS.
 */
import type { Client, CsrFormat, KeyUsageType, Service, ServiceClient, ServiceDescription, Endpoint, LocalGroup, EndpointMethod } from '../../api/types/ss.js';
import { ApiError, bad, conflict, notFound, type Ctx, type Resp } from '../http.js';
import { issueCertificate } from '../../pki/ca.js';
import { createCsr } from '../../pki/csr.js';
import { spkiBase64 } from '../../pki/keys.js';
import { certInfo, certInputToDer, pkiUsage, type SubjectAttr } from '../certs.js';
import { Engine, sha224Hex } from '../engine.js';
import { profileOf } from '../profiles.js';
import {
  clientIdOf,
  memberIdOf,
  nextId,
  parseClientId,
  ssOwnerId,
  ssServerId,
  type CertState,
  type ClientState,
  type CsrState,
  type KeyState,
  type ServiceDescriptionState,
  type ServiceState,
  type SsState,
} from '../model.js';
import { arr, enumOf, obj, optBool, optStr, str } from '../validate.js';
import { USAGES, FORMATS, SO, RO } from './common.js';

export function ssContext(e: Engine, ss: SsState) {
  const st = e.st;
  const now = () => e.clock.now();
  const iso = () => now().toISOString();
  const inst = st.instance;

  // ---------- guards ----------
  const requireInit = () => {
    if (!ss.serverCode || !ss.ownerCode || !ss.tokenInitialized) throw conflict('server_not_initialized');
  };
  const requireAnchor = () => {
    if (!ss.anchor) throw conflict('anchor_not_found');
  };
  const token = (c: Ctx) => {
    if (c.params.id !== '0') throw notFound('token_not_found', c.params.id ?? '');
  };
  const key = (id: string): KeyState => {
    const k = ss.keys.find((x) => x.id === id);
    if (!k) throw notFound('key_not_found', id);
    return k;
  };
  const cert = (hash: string) => {
    const f = e.findCert(ss, hash);
    if (!f) throw notFound('certificate_not_found', hash);
    return f;
  };
  const parseId = (id: string) => {
    const p = parseClientId(id);
    if (!p) throw bad('invalid_identifier', id);
    return p;
  };
  const client = (id: string): ClientState => {
    parseId(id);
    const c = e.findClient(ss, id);
    if (!c) throw notFound('client_not_found', id);
    return c;
  };
  const owner = () => ssOwnerId(st, ss) ?? '';
  const gc = () => ss.gc.downloaded;
  const submit = (r: Parameters<Engine['csAddRequest']>[0]) => {
    try {
      return e.csAddRequest(r);
    } catch (err) {
      if (err instanceof ApiError) throw new ApiError(500, 'management_request_sending_failed', [err.code ?? String(err.status), ...(err.metadata ?? [])]);
      throw err;
    }
  };
  const serverIdOrFail = () => {
    const s = ssServerId(st, ss);
    if (!s) throw conflict('server_not_initialized');
    return s;
  };

  // ---------- views ----------
  const clientView = (c: ClientState): Client => {
    const id = clientIdOf(c);
    const mid = memberIdOf(c);
    const v: Client = {
      id,
      instance_id: c.instance,
      member_name: e.memberName(ss, mid) ?? '',
      member_class: c.memberClass,
      member_code: c.memberCode,
      owner: mid === owner() && !c.subsystemCode,
      has_valid_local_sign_cert: e.hasValidLocalSign(ss, mid),
      is_management_services_provider: false,
      connection_type: c.connectionType,
      status: c.status,
    };
    if (c.subsystemCode) v.subsystem_code = c.subsystemCode;
    if (c.subsystemName) v.subsystem_name = c.subsystemName;
    if (c.renameStatus) v.rename_status = c.renameStatus;
    return v;
  };
  const fullCode = (s: ServiceState) => s.serviceCode + (s.version ? '.' + s.version : '');
  const serviceId = (sd: ServiceDescriptionState, s: ServiceState) => `${sd.clientId}:${fullCode(s)}`;
  const endpointView = (s: ServiceState, ep: { id: string; method: EndpointMethod; path: string; generated: boolean }): Endpoint => ({
    id: ep.id,
    service_code: s.serviceCode,
    method: ep.method,
    path: ep.path,
    generated: ep.generated,
  });
  const serviceView = (sd: ServiceDescriptionState, s: ServiceState): Service => {
    const v: Service = {
      id: serviceId(sd, s),
      full_service_code: fullCode(s),
      service_code: s.serviceCode,
      timeout: s.timeout,
      ssl_auth: s.sslAuth,
      subjects_count: ss.acls.filter((a) => a.clientId === sd.clientId && a.serviceCode === s.serviceCode && !a.endpointId).length,
      url: s.url,
      endpoints: s.endpoints.map((ep) => endpointView(s, ep)),
    };
    if (s.title) v.title = s.title;
    return v;
  };
  const sdView = (sd: ServiceDescriptionState): ServiceDescription => ({
    id: sd.id,
    url: sd.url,
    type: sd.type,
    disabled: sd.disabled,
    disabled_notice: sd.disabledNotice,
    refreshed_at: sd.refreshedAt,
    services: sd.services.map((s) => serviceView(sd, s)),
    client_id: sd.clientId,
  });
  const findService = (id: string) => {
    for (const sd of ss.serviceDescriptions) for (const s of sd.services) if (serviceId(sd, s) === id) return { sd, s };
    throw notFound('service_not_found', id);
  };
  const findEndpoint = (id: string) => {
    for (const sd of ss.serviceDescriptions) for (const s of sd.services) for (const ep of s.endpoints) if (ep.id === id) return { sd, s, ep };
    throw notFound('endpoint_not_found', id);
  };
  const findSd = (id: string) => {
    const sd = ss.serviceDescriptions.find((x) => x.id === id);
    if (!sd) throw notFound('service_description_not_found', id);
    return sd;
  };
  const findGroup = (id: string) => {
    const g = ss.localGroups.find((x) => x.id === id);
    if (!g) throw notFound('local_group_not_found', id);
    return g;
  };
  const groupView = (g: (typeof ss.localGroups)[number], withMembers: boolean): LocalGroup => {
    const v: LocalGroup = { id: g.id, code: g.code, description: g.description, member_count: g.members.length, updated_at: g.updatedAt };
    if (withMembers)
      v.members = g.members.map((m) => {
        const p = parseClientId(m.id)!;
        const gm: { id: string; member_name: string; subsystem_name?: string; created_at: string } = {
          id: m.id,
          member_name: e.memberName(ss, memberIdOf(p)) ?? '',
          created_at: m.createdAt,
        };
        return gm;
      });
    return v;
  };
  /** classify an access-right subject id; throws 400 invalid_service_client_id / service_client_not_found */
  const subject = (clientId: string, id: string): ServiceClient => {
    if (/^\d+$/.test(id)) {
      const g = ss.localGroups.find((x) => x.id === id && x.clientId === clientId);
      if (!g) throw bad('service_client_not_found', id);
      return { id, name: g.description, local_group_code: g.code, service_client_type: 'LOCALGROUP' };
    }
    const p = id.split(':');
    if (p.length === 2 && p.every(Boolean)) {
      const g = gc()?.globalGroups.find((x) => `${inst}:${x.code}` === id || (p[1] === x.code && p[0] === inst));
      if (!g) throw bad('service_client_not_found', id);
      return { id, name: g.code, service_client_type: 'GLOBALGROUP' };
    }
    const c = parseClientId(id);
    if (!c || !c.subsystemCode) throw bad('invalid_service_client_id', id);
    const known = gc()?.members.some((m) => m.id === memberIdOf(c) && m.subsystems.some((s) => s.code === c.subsystemCode)) || !!e.findClient(ss, id);
    if (!known) throw bad('service_client_not_found', id);
    const sub = gc()
      ?.members.find((m) => m.id === memberIdOf(c))
      ?.subsystems.find((s) => s.code === c.subsystemCode);
    return { id, name: sub?.name ?? e.findClient(ss, id)?.subsystemName ?? c.subsystemCode, service_client_type: 'SUBSYSTEM' };
  };
  const scItems = (c: Ctx): string[] => {
    const items = arr(c.json(), 'items', 'serviceClients', true);
    return items.map((it, i) => {
      if (!it || typeof it !== 'object') throw bad('invalid_service_client_id', String(i));
      const id = (it as Record<string, unknown>).id;
      if (typeof id !== 'string' || !id)
        throw new ApiError(400, 'validation_failure', undefined, undefined, { [`serviceClients.items[${i}].id`]: ['NotNull'] });
      return id;
    });
  };

  // ---------- CSR core ----------
  const csrGenerate = (k: KeyState, body: Record<string, unknown>, name: string, c: Ctx) => {
    const usage = enumOf(body, 'key_usage_type', name, USAGES);
    const caName = str(body, 'ca_name', name);
    const format = enumOf(body, 'csr_format', name, FORMATS);
    const memberIdIn = optStr(body, 'member_id', name, 767);
    const fv = obj(body, 'subject_field_values', name);
    const acme = optBool(body, 'acme_order', name) ?? false;
    c.requireRole(...(usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
    if (acme) c.requireRole(...(usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
    if (!ss.loggedIn) throw conflict('action_not_possible', 'token not logged in');
    const pa = e.keyPossibleActions(ss, k);
    if (!pa.includes(usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR'))
      throw conflict('action_not_possible', usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR');
    const ca = gc()?.caNames.includes(caName) ? e.caByName(caName) : undefined;
    if (!ca) throw notFound('certificate_authority_not_found', caName);
    if (ca.defaultCsrFormat && ca.defaultCsrFormat !== format) throw bad('invalid_csr_format', format);
    if (usage === 'SIGNING' && ca.authenticationOnly) throw bad('wrong_key_usage');
    let memberId = owner();
    if (usage === 'SIGNING') {
      if (!memberIdIn) throw bad('memberId_required_for_sign_csr');
      const p = parseClientId(memberIdIn);
      if (!p || p.subsystemCode) throw bad('invalid_identifier', memberIdIn);
      if (!ss.clients.some((x) => memberIdOf(x) === memberIdIn)) throw bad('client_not_found', memberIdIn);
      memberId = memberIdIn;
    }
    requireInit();
    const mp = parseClientId(memberId)!;
    const fields = profileOf(ca.profile).fields(usage, {
      instance: inst,
      serverCode: ss.serverCode!,
      ownerCode: ss.ownerCode!,
      ownerClass: ss.ownerClass,
      ownerName: e.memberName(ss, owner()) ?? ss.ownerCode!,
      memberClass: mp.memberClass,
      memberCode: mp.memberCode,
      memberName: e.memberName(ss, memberId) ?? mp.memberCode,
      address: ss.address,
    });
    const subject: SubjectAttr[] = [];
    for (const [kf, v] of Object.entries(fv)) {
      if (!fields.some((f) => f.id === kf)) throw bad('invalid_dn_parameter', `extraneous parameter ${kf}`);
      if (typeof v !== 'string') throw bad('invalid_dn_parameter', kf);
    }
    for (const f of fields) {
      const v = f.read_only ? f.default_value : ((fv[f.id] as string | undefined) ?? f.default_value);
      if (!v || !v.trim()) throw bad('invalid_dn_parameter', `missing parameter ${f.id}`);
      subject.push({ name: f.id, value: v });
    }
    // subjectAltName is a profile field but not a DN component: the CSR carries it as the SAN extension
    const sanField = subject.findIndex((a) => a.name === 'subjectAltName');
    const sanNames =
      sanField >= 0
        ? subject
            .splice(sanField, 1)[0]!
            .value.split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : [];
    const san = [...(profileOf(ca.profile).san?.(usage, subject) ?? []), ...sanNames];
    const built = createCsr(k.privateKeyPem, { subject, usage: pkiUsage(usage), san });
    const csr: CsrState = { id: nextId(st), usage, caName, format, subject, san, createdAt: iso() };
    csr.ownerId = memberId; // auth CSRs belong to the server owner
    k.usage = usage;
    if (acme) {
      if (ca.external) throw new ApiError(500, 'acme.account_creation_failure', ['ACME orders to external CAs are not simulated by the sandbox']);
      const signed = issueCertificate(ca, built.pem, {
        usage: pkiUsage(usage),
        now: now(),
        validityDays: st.certValidityDays,
        ocspUrl: ca.ocspUrl,
        defaultSan: true,
      });
      e.recordIssued(ca, signed.der, signed.serial);
      importInto(k, signed.der, usage, ca.name, memberId, true);
      return { csr, built, acme: true };
    }
    k.csrs.push(csr);
    return { csr, built, acme: false };
  };
  const csrFileName = (csr: CsrState, fmt: CsrFormat) => {
    const d = iso().slice(0, 10).replace(/-/g, '');
    const who =
      csr.usage === 'AUTHENTICATION' ? `securityserver_${(ssServerId(st, ss) ?? '').replace(/:/g, '_')}` : `member_${(csr.ownerId ?? '').replace(/:/g, '_')}`;
    return `${csr.usage === 'AUTHENTICATION' ? 'auth' : 'sign'}_csr_${d}_${who}.${fmt.toLowerCase()}`;
  };
  const csrResp = (csr: CsrState, built: { pem: string; der: Buffer }, fmt: CsrFormat, status: number): Resp => ({
    status,
    raw: fmt === 'PEM' ? Buffer.from(built.pem) : built.der,
    headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${csrFileName(csr, fmt)}"` },
  });

  // ---------- certificate import core ----------
  function importInto(k: KeyState, der: Buffer, usage: KeyUsageType, caName: string, ownerId: string | undefined, acme: boolean): CertState {
    const info = certInfo(der);
    const c: CertState = {
      hash: info.hash,
      derB64: der.toString('base64'),
      status: usage === 'AUTHENTICATION' ? 'SAVED' : 'REGISTERED',
      active: false,
      caName,
      serial: info.serial,
      importedAt: iso(),
    };
    c.ownerId = usage === 'SIGNING' ? ownerId : owner();
    if (usage === 'SIGNING') {
      const o = e.ocsp(c);
      if (o === 'GOOD' && !e.certExpired(c)) c.active = true;
      else c.ocspVerifyBeforeActivationError = `OCSP response status ${o}`;
      if (acme) c.active = false; // automatic-activate-acme-sign-certificate=false (default)
      k.csrs = k.csrs.filter((r) => r.ownerId !== ownerId);
    } else k.csrs = [];
    k.usage = usage;
    k.certs.push(c);
    return c;
  }

  const importCert = async (c: Ctx): Promise<Resp> => {
    let der: Buffer;
    try {
      der = certInputToDer(c.body);
    } catch {
      throw bad('invalid_certificate');
    }
    requireInit();
    e.requireGcFresh(ss);
    let info: ReturnType<typeof certInfo>;
    try {
      info = certInfo(der);
    } catch {
      throw bad('invalid_certificate', 'unsupported certificate (the sandbox handles RSA keys)');
    }
    if (e.findCert(ss, info.hash)) throw conflict('certificate_already_exists', info.hash);
    const spki = spkiBase64(info.publicKeyPem);
    const k = ss.keys.find((x) => spkiBase64(x.publicKeyPem) === spki);
    if (!k) throw bad('key_not_found');
    const nr = info.keyUsages.includes('NON_REPUDIATION');
    const ds = info.keyUsages.includes('DIGITAL_SIGNATURE');
    if (nr === ds) throw bad('cert_wrong_usage');
    const usage: KeyUsageType = nr ? 'SIGNING' : 'AUTHENTICATION';
    c.requireRole(...(usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
    if (k.usage && k.usage !== usage) throw bad('cert_wrong_usage');
    const ca = e.caOfCert(der);
    if (!ca || !gc()?.caNames.includes(ca.name)) throw bad('invalid_certificate', 'certificate is not issued by an approved certification service');
    if (now() > info.notAfter || now() < info.notBefore) throw bad('invalid_certificate', 'certificate is not valid at this time');
    let ownerId: string | undefined;
    if (usage === 'SIGNING') {
      ownerId = profileOf(ca.profile).signMemberId(inst, info.subject);
      if (!ownerId || !ss.clients.some((x) => memberIdOf(x) === ownerId)) throw bad('client_not_found', ownerId ?? '');
    }
    // as the signer's importCertificateToKey: a signing certificate is checked against OCSP now (a fresh answer
    // from an external CA's responder, bounded by its timeout) and activated when good
    if (usage === 'SIGNING') await e.ocspFresh({ derB64: der.toString('base64'), serial: info.serial, caName: ca.name });
    const cs = importInto(k, der, usage, ca.name, ownerId, false);
    return { status: 201, body: e.certView(ss, k, cs), headers: { location: `/api/v1/token-certificates/${cs.hash}` } };
  };

  const addService = (sd: ServiceDescriptionState, code: string, url: string, version?: string): ServiceState => {
    const https = url.startsWith('https:');
    const s: ServiceState = { serviceCode: code, url, timeout: 60, sslAuth: https, endpoints: [], title: code };
    if (version) s.version = version;
    if (sd.type !== 'WSDL') s.endpoints.push({ id: nextId(st), method: '*', path: '**', generated: true });
    return s;
  };
  const validUrl = (u: string) => {
    try {
      const x = new URL(u);
      return x.protocol === 'http:' || x.protocol === 'https:';
    } catch {
      return false;
    }
  };
  /** WSDL: the sandbox cannot fetch the document; it derives one service from the URL's last path segment. */
  const wsdlServiceCode = (u: string) => {
    const seg = new URL(u).pathname.split('/').filter(Boolean).pop() ?? 'service';
    return seg.replace(/\.(wsdl|xml)$/i, '').replace(/[^A-Za-z0-9_.-]/g, '') || 'service';
  };

  const aclsFor = (clientId: string, subjectId: string) => ss.acls.filter((a) => a.clientId === clientId && a.subjectId === subjectId && !a.endpointId);
  const serviceTitle = (clientId: string, code: string) => {
    for (const sd of ss.serviceDescriptions) if (sd.clientId === clientId) for (const s of sd.services) if (s.serviceCode === code) return s.title;
    return undefined;
  };
  const serviceClientsOf = (clientId: string, filter: (a: (typeof ss.acls)[number]) => boolean): ServiceClient[] => {
    const seen = new Map<string, ServiceClient>();
    for (const a of ss.acls.filter((x) => x.clientId === clientId && filter(x))) {
      if (seen.has(a.subjectId)) continue;
      try {
        seen.set(a.subjectId, { ...subject(clientId, a.subjectId), rights_given_at: a.givenAt });
      } catch {
        seen.set(a.subjectId, { id: a.subjectId, rights_given_at: a.givenAt });
      }
    }
    return [...seen.values()];
  };

  function parseAnchor(body: Buffer, validateInstance = true): { hash: string; createdAt: string; xml: string } {
    const xml = body.toString('utf8');
    const m = /<instanceIdentifier>([^<]+)<\/instanceIdentifier>/.exec(xml);
    const g = /<generatedAt>([^<]+)<\/generatedAt>/.exec(xml);
    if (!body.length || !m || !/configurationAnchor/.test(xml) || !/<downloadURL>/.test(xml)) throw bad('malformed_anchor');
    if (validateInstance && m[1] !== inst) throw bad('internal_anchor_upload_invalid_instance_id', m[1]!);
    const created = g && !Number.isNaN(Date.parse(g[1]!)) ? new Date(g[1]!).toISOString() : iso();
    return { hash: sha224Hex(body), createdAt: created, xml };
  }

  return {
    e,
    ss,
    st,
    now,
    iso,
    inst,
    requireInit,
    requireAnchor,
    token,
    key,
    cert,
    parseId,
    client,
    owner,
    gc,
    submit,
    serverIdOrFail,
    clientView,
    fullCode,
    serviceId,
    endpointView,
    serviceView,
    sdView,
    findService,
    findEndpoint,
    findSd,
    findGroup,
    groupView,
    subject,
    scItems,
    csrGenerate,
    csrFileName,
    csrResp,
    importInto,
    importCert,
    addService,
    validUrl,
    wsdlServiceCode,
    aclsFor,
    serviceTitle,
    serviceClientsOf,
    parseAnchor,
  };
}

export type SsCtx = ReturnType<typeof ssContext>;
