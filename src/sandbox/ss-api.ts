/** Security Server admin API routes (security-server-admin-api.yaml) over the sandbox model. */
import type {
  Client, CsrFormat, KeyUsageType, Service, ServiceClient, ServiceDescription, ServiceType, ClientStatus, Endpoint, LocalGroup, EndpointMethod,
} from '../api/types/ss.js';
import { ApiError, bad, conflict, forbidden, notFound, warningsDetected, type Ctx, type Resp, type Route } from './http.js';
import { buildCsr, certInfo, certInputToDer, certificateDetails, derToPem, generateRsaKey, pemToDer, signCsr, spkiOfPublicKeyPem, type SubjectAttr } from './ca.js';
import { Engine, pinHash, profileClass, sha224Hex } from './engine.js';
import { profileOf } from './profiles.js';
import {
  clientIdOf, memberIdOf, nextId, parseClientId, ssOwnerId, ssServerId,
  type CertState, type ClientState, type CsrState, type KeyState, type ServiceDescriptionState, type ServiceState, type SsState,
} from './model.js';
import { arr, enumOf, identifierPart, obj, optBool, optEnum, optInt, optStr, qBool, qEnum, str } from './validate.js';

export const SS_ROLES = {
  SO: 'XROAD_SECURITY_OFFICER',
  RO: 'XROAD_REGISTRATION_OFFICER',
  SA: 'XROAD_SERVICE_ADMINISTRATOR',
  SYS: 'XROAD_SYSTEM_ADMINISTRATOR',
  OBS: 'XROAD_SECURITYSERVER_OBSERVER',
} as const;
const { SO, RO, SA, SYS, OBS } = SS_ROLES;
const USAGES = ['AUTHENTICATION', 'SIGNING'] as const;
const FORMATS = ['PEM', 'DER'] as const;
const CONN = ['HTTP', 'HTTPS', 'HTTPS_NO_AUTH'] as const;
const STYPES = ['WSDL', 'REST', 'OPENAPI3'] as const;
const METHODS = ['*', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'] as const;
const SC_TYPES = ['GLOBALGROUP', 'LOCALGROUP', 'SUBSYSTEM'] as const;
const RESERVED = ['listClients', 'listMethods', 'allowedMethods', 'getWsdl', 'getOpenAPI', 'getSecurityServerMetrics', 'getSecurityServerOperationalData', 'getSecurityServerHealthData'];
const DEFAULT_DISABLED_NOTICE = 'Out of order';

const ok = (body?: unknown, status = 200): Resp => ({ status, body });
const noContent = (): Resp => ({ status: 204 });

export function ssRoutes(e: Engine, ss: SsState): Route[] {
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
  const endpointView = (s: ServiceState, ep: { id: string; method: EndpointMethod; path: string; generated: boolean }): Endpoint => ({ id: ep.id, service_code: s.serviceCode, method: ep.method, path: ep.path, generated: ep.generated });
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
    id: sd.id, url: sd.url, type: sd.type, disabled: sd.disabled, disabled_notice: sd.disabledNotice, refreshed_at: sd.refreshedAt,
    services: sd.services.map((s) => serviceView(sd, s)), client_id: sd.clientId,
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
    if (withMembers) v.members = g.members.map((m) => {
      const p = parseClientId(m.id)!;
      const gm: { id: string; member_name: string; subsystem_name?: string; created_at: string } = { id: m.id, member_name: e.memberName(ss, memberIdOf(p)) ?? '', created_at: m.createdAt };
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
      const g = gc()?.globalGroups.find((x) => `${inst}:${x.code}` === id || p[1] === x.code && p[0] === inst);
      if (!g) throw bad('service_client_not_found', id);
      return { id, name: g.code, service_client_type: 'GLOBALGROUP' };
    }
    const c = parseClientId(id);
    if (!c || !c.subsystemCode) throw bad('invalid_service_client_id', id);
    const known = gc()?.members.some((m) => m.id === memberIdOf(c) && m.subsystems.some((s) => s.code === c.subsystemCode)) || !!e.findClient(ss, id);
    if (!known) throw bad('service_client_not_found', id);
    const sub = gc()?.members.find((m) => m.id === memberIdOf(c))?.subsystems.find((s) => s.code === c.subsystemCode);
    return { id, name: sub?.name ?? e.findClient(ss, id)?.subsystemName ?? c.subsystemCode, service_client_type: 'SUBSYSTEM' };
  };
  const scItems = (c: Ctx): string[] => {
    const items = arr(c.json(), 'items', 'serviceClients', true);
    return items.map((it, i) => {
      if (!it || typeof it !== 'object') throw bad('invalid_service_client_id', String(i));
      const id = (it as Record<string, unknown>).id;
      if (typeof id !== 'string' || !id) throw new ApiError(400, 'validation_failure', undefined, undefined, { [`serviceClients.items[${i}].id`]: ['NotNull'] });
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
    if (!pa.includes(usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR')) throw conflict('action_not_possible', usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR');
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
      instance: inst, serverCode: ss.serverCode!, ownerCode: ss.ownerCode!, ownerName: e.memberName(ss, owner()) ?? ss.ownerCode!,
      memberClass: mp.memberClass, memberCode: mp.memberCode, memberName: e.memberName(ss, memberId) ?? mp.memberCode, address: ss.address,
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
    const san = profileOf(ca.profile).san?.(usage, subject) ?? [];
    const built = buildCsr(k.privateKeyPem, k.publicKeyPem, subject, { usage, san });
    const csr: CsrState = { id: nextId(st), usage, caName, format, subject, san, createdAt: iso() };
    csr.ownerId = memberId; // auth CSRs belong to the server owner
    k.usage = usage;
    if (acme) {
      const signed = signCsr(ca, built.pem, { usage, now: now(), validityDays: st.certValidityDays, ocspUrl: ca.ocspUrl });
      e.recordIssued(ca, signed.der, signed.serial);
      importInto(k, signed.der, usage, ca.name, memberId, true);
      return { csr, built, acme: true };
    }
    k.csrs.push(csr);
    return { csr, built, acme: false };
  };
  const csrFileName = (csr: CsrState, fmt: CsrFormat) => {
    const d = iso().slice(0, 10).replace(/-/g, '');
    const who = csr.usage === 'AUTHENTICATION' ? `securityserver_${(ssServerId(st, ss) ?? '').replace(/:/g, '_')}` : `member_${(csr.ownerId ?? '').replace(/:/g, '_')}`;
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
    const c: CertState = { hash: info.hash, derB64: der.toString('base64'), status: usage === 'AUTHENTICATION' ? 'SAVED' : 'REGISTERED', active: false, caName, serial: info.serial, importedAt: iso() };
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

  const importCert = (c: Ctx): Resp => {
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
    const spki = spkiOfPublicKeyPem(info.publicKeyPem);
    const k = ss.keys.find((x) => spkiOfPublicKeyPem(x.publicKeyPem) === spki);
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

  const routes: Route[] = [
    // ---------- initialization / anchor ----------
    { method: 'GET', path: '/initialization/status', op: 'getInitializationStatus', roles: 'any', h: () => ok({
      is_anchor_imported: !!ss.anchor, is_server_code_initialized: !!ss.serverCode, is_server_owner_initialized: !!ss.ownerCode,
      software_token_init_status: ss.tokenInitialized ? 'INITIALIZED' : 'NOT_INITIALIZED', enforce_token_pin_policy: false,
    }) },
    { method: 'POST', path: '/system/anchor', op: 'uploadInitialAnchor', roles: [SYS], write: true, upload: true, h: (c) => {
      if (ss.anchor) throw conflict('anchor_already_exists');
      ss.anchor = parseAnchor(c.body);
      e.tick();
      return { status: 201 };
    } },
    { method: 'PUT', path: '/system/anchor', op: 'replaceAnchor', roles: [SO, SYS], write: true, upload: true, h: (c) => {
      requireAnchor();
      ss.anchor = parseAnchor(c.body);
      return { status: 201 };
    } },
    { method: 'POST', path: '/system/anchor/previews', op: 'previewAnchor', roles: [SO, SYS], upload: true, h: (c) => {
      const a = parseAnchor(c.body, qBool(c.query, 'validate_instance', true));
      return ok({ hash: a.hash, created_at: a.createdAt }, 201);
    } },
    { method: 'GET', path: '/system/anchor', op: 'getAnchor', roles: [SO, SYS, OBS], h: () => {
      if (!ss.anchor) throw notFound('anchor_not_found');
      return ok({ hash: ss.anchor.hash, created_at: ss.anchor.createdAt });
    } },
    { method: 'GET', path: '/system/anchor/download', op: 'downloadAnchor', roles: [SO, SYS, OBS], h: () => {
      if (!ss.anchor) throw notFound('anchor_not_found');
      return { status: 200, raw: Buffer.from(ss.anchor.xml), headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="configuration_anchor.xml"' } };
    } },
    { method: 'POST', path: '/initialization', op: 'initSecurityServer', roles: [SYS], write: true, h: (c) => {
      const b = c.json();
      if (!ss.anchor) throw conflict('anchor_not_found');
      const mc = optStr(b, 'owner_member_class', 'initialServerConf');
      const mcode = optStr(b, 'owner_member_code', 'initialServerConf');
      const scode = optStr(b, 'security_server_code', 'initialServerConf');
      const pin = optStr(b, 'software_token_pin', 'initialServerConf');
      const ignore = optBool(b, 'ignore_warnings', 'initialServerConf') ?? false;
      if (ss.serverCode && ss.ownerCode && ss.tokenInitialized) throw conflict('server_already_fully_initialized');
      const meta: string[] = [];
      if (ss.serverCode && scode) meta.push('server_code_exists');
      if (!ss.serverCode && !scode) meta.push('server_code_not_provided');
      if (ss.ownerCode && mc) meta.push('member_class_exists');
      if (!ss.ownerCode && !mc) meta.push('member_class_not_provided');
      if (ss.ownerCode && mcode) meta.push('member_code_exists');
      if (!ss.ownerCode && !mcode) meta.push('member_code_not_provided');
      if (ss.tokenInitialized && pin) meta.push('pin_code_exists');
      if (!ss.tokenInitialized && !pin) meta.push('pin_code_not_provided');
      if (meta.length) throw bad('invalid_init_params', ...meta);
      if (scode) identifierPart(scode, 'initialServerConf.securityServerCode');
      if (mcode) identifierPart(mcode, 'initialServerConf.ownerMemberCode');
      if (mc && !gc()?.memberClasses.includes(mc)) throw bad('invalid_member_class', mc);
      if (pin && /[^\x20-\x7e]/.test(pin)) throw bad('invalid_characters_pin');
      const oc = mc ?? ss.ownerClass!, ocode = mcode ?? ss.ownerCode!, sc = scode ?? ss.serverCode!;
      const warnings = [];
      const ownerId = `${inst}:${oc}:${ocode}`;
      if (!gc()?.members.some((m) => m.id === ownerId)) warnings.push({ code: 'init_unregistered_member', metadata: [`${inst}/${oc}/${ocode}`] });
      if (gc()?.servers.some((s) => s.id === `${ownerId}:${sc}`)) warnings.push({ code: 'init_server_id_exists', metadata: [`${ownerId}:${sc}`] });
      if (warnings.length && !ignore) throw warningsDetected(warnings);
      ss.ownerClass = oc;
      ss.ownerCode = ocode;
      ss.serverCode = sc;
      if (pin) {
        ss.pinSha256 = pinHash(pin);
        ss.tokenInitialized = true;
        ss.loggedIn = false;
      }
      if (!ss.clients.some((x) => clientIdOf(x) === ownerId)) ss.clients.push({ instance: inst, memberClass: oc, memberCode: ocode, connectionType: 'HTTPS', status: 'SAVED', tlsCerts: [] });
      e.reconcile(ss);
      return { status: 201 };
    } },

    // ---------- tokens ----------
    { method: 'GET', path: '/tokens', op: 'getTokens', roles: [SO, RO, SYS, OBS], h: () => ok([e.tokenView(ss)]) },
    { method: 'GET', path: '/tokens/{id}', op: 'getToken', roles: [SO, RO, SYS, OBS], h: (c) => {
      token(c);
      return ok(e.tokenView(ss));
    } },
    { method: 'PATCH', path: '/tokens/{id}', op: 'updateToken', roles: [SO, RO, SYS], write: true, h: (c) => {
      token(c);
      const n = str(c.json(), 'name', 'tokenName');
      ss.tokenName = n;
      return ok(e.tokenView(ss));
    } },
    { method: 'PUT', path: '/tokens/{id}/login', op: 'loginToken', roles: [SO, SYS], write: true, h: (c) => {
      token(c);
      const b = c.json();
      const pw = optStr(b, 'password', 'tokenPassword', 10_000);
      if (!ss.tokenInitialized || ss.loggedIn) throw conflict('action_not_possible', 'LOGIN');
      if (!pw) throw bad('missing_token_password');
      if (pinHash(pw) !== ss.pinSha256) throw bad('pin_incorrect');
      ss.loggedIn = true;
      return ok(e.tokenView(ss));
    } },
    { method: 'PUT', path: '/tokens/{id}/logout', op: 'logoutToken', roles: [SO, SYS], write: true, h: (c) => {
      token(c);
      if (!ss.loggedIn) throw conflict('action_not_possible', 'LOGOUT');
      ss.loggedIn = false;
      return ok(e.tokenView(ss));
    } },
    { method: 'PUT', path: '/tokens/{id}/pin', op: 'updateTokenPin', roles: [SYS], write: true, h: (c) => {
      token(c);
      const b = c.json();
      const o = str(b, 'old_pin', 'tokenPinUpdate'), n = str(b, 'new_pin', 'tokenPinUpdate');
      if (!ss.tokenInitialized) throw conflict('action_not_possible', 'TOKEN_CHANGE_PIN');
      if (pinHash(o) !== ss.pinSha256) throw bad('pin_incorrect');
      if (/[^\x20-\x7e]/.test(n)) throw bad('invalid_characters_pin');
      ss.pinSha256 = pinHash(n);
      return noContent();
    } },
    { method: 'POST', path: '/tokens/{id}/keys', op: 'addKey', roles: [SO, RO], write: true, h: (c) => {
      token(c);
      const label = optStr(c.json(), 'label', 'keyLabel') ?? '';
      if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY');
      const kp = generateRsaKey();
      const k: KeyState = { id: nextId(st), label, name: label, privateKeyPem: kp.privateKeyPem, publicKeyPem: kp.publicKeyPem, csrs: [], certs: [] };
      ss.keys.push(k);
      return ok(e.keyView(ss, k), 201);
    } },
    { method: 'POST', path: '/tokens/{id}/keys-with-csrs', op: 'addKeyAndCsr', roles: [SO, RO], write: true, h: (c) => {
      token(c);
      const b = c.json();
      const label = str(b, 'key_label', 'keyLabelWithCsrGenerate', { allowEmpty: true });
      const req = obj(b, 'csr_generate_request', 'keyLabelWithCsrGenerate');
      if (req.key_usage_type === 'AUTHENTICATION') c.requireRole(SO);
      if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY');
      const kp = generateRsaKey();
      const k: KeyState = { id: nextId(st), label, name: label, privateKeyPem: kp.privateKeyPem, publicKeyPem: kp.publicKeyPem, csrs: [], certs: [] };
      const r = csrGenerate(k, req, 'keyLabelWithCsrGenerate.csrGenerateRequest', c); // rollback: the key is only added on success
      ss.keys.push(k);
      return ok({ key: e.keyView(ss, k), csr_id: r.csr.id }, 201);
    } },

    // ---------- keys / CSRs ----------
    { method: 'GET', path: '/keys/{id}', op: 'getKey', roles: [SO, RO, SYS, OBS], h: (c) => ok(e.keyView(ss, key(c.params.id!))) },
    { method: 'PATCH', path: '/keys/{id}', op: 'updateKey', roles: [SO, RO, SYS], write: true, h: (c) => {
      const k = key(c.params.id!);
      k.name = str(c.json(), 'name', 'keyName');
      return ok(e.keyView(ss, k));
    } },
    { method: 'GET', path: '/keys/{id}/possible-actions', op: 'getPossibleActionsForKey', roles: [SO, RO, SYS, OBS], h: (c) => ok(e.keyPossibleActions(ss, key(c.params.id!))) },
    { method: 'DELETE', path: '/keys/{id}', op: 'deleteKey', roles: [SO, RO], write: true, h: (c) => {
      const k = key(c.params.id!);
      const ignore = qBool(c.query, 'ignore_warnings', false);
      c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      const registered = k.usage === 'AUTHENTICATION' ? k.certs.filter((x) => x.status === 'REGISTERED' || x.status === 'REGISTRATION_IN_PROGRESS') : [];
      if (registered.length && !ignore) throw warningsDetected([{ code: 'auth_key_with_registered_cert_warning', metadata: [k.id] }]);
      for (const x of registered) {
        try {
          e.csAddRequest({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), authCertB64: x.derB64 });
        } catch {
          /* silently: the key is deleted anyway */
        }
      }
      ss.keys = ss.keys.filter((x) => x !== k);
      return noContent();
    } },
    { method: 'POST', path: '/keys/{id}/csrs', op: 'generateCsr', roles: [SO, RO], write: true, h: (c) => {
      const k = key(c.params.id!);
      const r = csrGenerate(k, c.json(), 'csrGenerate', c);
      if (r.acme) return noContent();
      return csrResp(r.csr, r.built, r.csr.format, 201);
    } },
    { method: 'GET', path: '/keys/{id}/csrs/{csr_id}', op: 'downloadCsr', roles: [SO, RO], h: (c) => {
      const k = key(c.params.id!);
      const fmt = qEnum(c.query, 'csr_format', FORMATS);
      const csr = k.csrs.find((x) => x.id === c.params.csr_id);
      if (!csr) throw notFound('csr_not_found', c.params.csr_id!);
      c.requireRole(...(csr.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      if (!ss.loggedIn) throw conflict('action_not_possible', 'token not logged in');
      // the same possible action as generating (allow-csr-for-key-with-certificate=false)
      if (k.certs.length) throw conflict('action_not_possible', csr.usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR');
      const built = buildCsr(k.privateKeyPem, k.publicKeyPem, csr.subject, { usage: csr.usage, san: csr.san });
      return csrResp(csr, built, fmt ?? csr.format, 201);
    } },
    { method: 'DELETE', path: '/keys/{id}/csrs/{csr_id}', op: 'deleteCsr', roles: [SO, RO], write: true, h: (c) => {
      const k = key(c.params.id!);
      const csr = k.csrs.find((x) => x.id === c.params.csr_id);
      if (!csr) throw notFound('csr_not_found', c.params.csr_id!);
      c.requireRole(...(csr.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      k.csrs = k.csrs.filter((x) => x !== csr);
      return noContent();
    } },
    { method: 'GET', path: '/keys/{id}/csrs/{csr_id}/possible-actions', op: 'getPossibleActionsForCsr', roles: [SO, RO, SYS, OBS], h: (c) => {
      const k = key(c.params.id!);
      if (!k.csrs.some((x) => x.id === c.params.csr_id)) throw notFound('csr_not_found', c.params.csr_id!);
      return ok(['DELETE']);
    } },

    // ---------- certificate authorities ----------
    { method: 'GET', path: '/certificate-authorities', op: 'getApprovedCertificateAuthorities', roles: [SO, RO, SYS, OBS], h: (c) => {
      const usage = qEnum(c.query, 'key_usage_type', USAGES);
      qBool(c.query, 'include_intermediate_cas', false);
      const names = gc()?.caNames ?? [];
      return ok(names.map((n) => e.caByName(n)!).filter((ca) => ca && !(usage === 'SIGNING' && ca.authenticationOnly)).map((ca) => {
        const info = certInfo(Buffer.from(ca.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
        const dn = info.subject.map((a) => `${a.name}=${a.value}`).join(', ');
        return {
          name: ca.name, subject_distinguished_name: dn, issuer_distinguished_name: dn, ocsp_response: 'OCSP_RESPONSE_GOOD', not_after: info.notAfter.toISOString(),
          top_ca: true, path: dn, authentication_only: ca.authenticationOnly, certificate_profile_info: profileClass(ca.profile),
          ...(ca.defaultCsrFormat ? { default_csr_format: ca.defaultCsrFormat } : {}), acme_capable: ca.acme, acme_server_ip_addresses: ca.acme ? ['127.0.0.1'] : [],
          ocsp_responders: [{ url: ca.ocspUrl, cost_type: 'FREE' }],
        };
      }));
    } },
    { method: 'GET', path: '/certificate-authorities/{ca_name}/csr-subject-fields', op: 'getSubjectFieldDescriptions', roles: [SO, RO, SYS, OBS], h: (c) => {
      const usage = qEnum(c.query, 'key_usage_type', USAGES, true)!;
      const memberId = c.query.get('member_id') ?? undefined;
      const keyId = c.query.get('key_id') ?? undefined;
      const isNew = qBool(c.query, 'is_new_member', false);
      const ca = gc()?.caNames.includes(c.params.ca_name!) ? e.caByName(c.params.ca_name!) : undefined;
      if (!ca) throw notFound('certificate_authority_not_found', c.params.ca_name!);
      if (usage === 'SIGNING' && !memberId) throw bad('memberId_required_for_sign_csr');
      if (keyId) {
        const k = key(keyId);
        if (k.usage && k.usage !== usage) throw bad('wrong_key_usage');
      }
      requireInit();
      const mid = usage === 'SIGNING' ? memberId! : owner();
      const mp = parseClientId(mid);
      if (!mp || mp.subsystemCode) throw bad('invalid_identifier', mid);
      if (usage === 'SIGNING' && !isNew && !ss.clients.some((x) => memberIdOf(x) === mid)) throw bad('client_not_found', mid);
      return ok(profileOf(ca.profile).fields(usage, {
        instance: inst, serverCode: ss.serverCode!, ownerCode: ss.ownerCode!, ownerName: e.memberName(ss, owner()) ?? ss.ownerCode!,
        memberClass: mp.memberClass, memberCode: mp.memberCode, memberName: e.memberName(ss, mid) ?? mp.memberCode, address: ss.address,
      }));
    } },
    { method: 'GET', path: '/certificate-authorities/{ca_name}/has-acme-eab-credentials', op: 'hasAcmeExternalAccountBindingCredentials', roles: [SO, RO], h: (c) => {
      qEnum(c.query, 'key_usage_type', USAGES, true);
      if (!e.caByName(c.params.ca_name!)) throw notFound('certificate_authority_not_found', c.params.ca_name!);
      return ok({ acme_eab_required: false, has_acme_external_account_credentials: false });
    } },
    { method: 'POST', path: '/certificate-authorities/{ca_name}/acme-order', op: 'orderAcmeCertificate', roles: [SO, RO], write: true, h: (c) => {
      const b = c.json();
      const csrId = str(b, 'csr_id', 'acmeOrder', { max: 40 });
      const usage = enumOf(b, 'key_usage_type', 'acmeOrder', USAGES);
      c.requireRole(...(usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      const ca = e.caByName(c.params.ca_name!);
      if (!ca) throw notFound('certificate_authority_not_found', c.params.ca_name!);
      if (!ca.acme) throw new ApiError(500, 'acme.account_creation_failure', ['CA has no ACME server']);
      if (!ss.loggedIn) throw conflict('action_not_possible', 'token not logged in');
      e.requireGcFresh(ss);
      const k = ss.keys.find((x) => x.csrs.some((r) => r.id === csrId));
      const csr = k?.csrs.find((r) => r.id === csrId);
      if (!k || !csr) throw notFound('csr_not_found', csrId);
      if (csr.usage !== usage) throw bad('wrong_key_usage');
      const built = buildCsr(k.privateKeyPem, k.publicKeyPem, csr.subject, { usage, san: csr.san });
      const signed = signCsr(ca, built.pem, { usage, now: now(), validityDays: st.certValidityDays, ocspUrl: ca.ocspUrl });
      e.recordIssued(ca, signed.der, signed.serial);
      if (e.findCert(ss, certInfo(signed.der).hash)) throw conflict('certificate_already_exists');
      importInto(k, signed.der, usage, ca.name, csr.ownerId, true);
      k.csrs = k.csrs.filter((r) => r.id !== csrId);
      return ok(undefined, 200);
    } },

    // ---------- token certificates ----------
    { method: 'POST', path: '/token-certificates', op: 'importCertificate', roles: [SO, RO], write: true, upload: true, h: importCert },
    { method: 'GET', path: '/token-certificates/{hash}', op: 'getCertificate', roles: [SO, RO, SYS, OBS], h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      return ok(e.certView(ss, k, x));
    } },
    { method: 'GET', path: '/token-certificates/{hash}/possible-actions', op: 'getPossibleActionsForCertificate', roles: [SO, RO, SYS, OBS], h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      return ok(e.certPossibleActions(ss, k, x));
    } },
    { method: 'POST', path: '/token-certificates/{hash}/import', op: 'importCertificateFromToken', roles: [SO, RO], write: true, h: (c) => {
      const { k } = cert(c.params.hash!);
      if (k.usage === 'AUTHENTICATION') throw bad('auth_cert_not_supported');
      throw conflict('certificate_already_exists', c.params.hash!);
    } },
    { method: 'DELETE', path: '/token-certificates/{hash}', op: 'deleteCertificate', roles: [SO, RO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      if (!e.certPossibleActions(ss, k, x).includes('DELETE')) throw conflict('action_not_possible', 'DELETE');
      k.certs = k.certs.filter((y) => y !== x);
      return noContent();
    } },
    { method: 'PUT', path: '/token-certificates/{hash}/activate', op: 'activateCertificate', roles: [SO, RO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      if (!e.certPossibleActions(ss, k, x).includes('ACTIVATE')) throw conflict('action_not_possible', 'ACTIVATE');
      const o = e.ocsp(x);
      if (o !== 'GOOD' || e.certExpired(x)) {
        x.ocspVerifyBeforeActivationError = `Failed to verify OCSP responses: ${e.certExpired(x) ? 'certificate expired' : 'status ' + o}`;
        throw new ApiError(500, 'internal_error', [x.ocspVerifyBeforeActivationError]);
      }
      x.active = true;
      x.ocspVerifyBeforeActivationError = undefined;
      return noContent();
    } },
    { method: 'PUT', path: '/token-certificates/{hash}/disable', op: 'disableCertificate', roles: [SO, RO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
      if (!e.certPossibleActions(ss, k, x).includes('DISABLE')) throw conflict('action_not_possible', 'DISABLE');
      x.active = false;
      return noContent();
    } },
    { method: 'PUT', path: '/token-certificates/{hash}/register', op: 'registerCertificate', roles: [SO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      const address = str(c.json(), 'address', 'securityServerAddress');
      if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
      if (!e.certPossibleActions(ss, k, x).includes('REGISTER')) throw conflict('action_not_possible', 'REGISTER');
      e.requireGcFresh(ss);
      e.requireSigner(ss, [owner()], false);
      submit({ type: 'AUTH_CERT_REGISTRATION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), address, authCertB64: x.derB64 });
      x.status = 'REGISTRATION_IN_PROGRESS';
      return ok(undefined, 200);
    } },
    { method: 'PUT', path: '/token-certificates/{hash}/unregister', op: 'unregisterAuthCertificate', roles: [SO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
      if (!e.certPossibleActions(ss, k, x).includes('UNREGISTER')) throw conflict('action_not_possible', 'UNREGISTER');
      e.requireSigner(ss, [owner()], true);
      submit({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), authCertB64: x.derB64 });
      x.status = 'DELETION_IN_PROGRESS';
      return noContent();
    } },
    { method: 'PUT', path: '/token-certificates/{hash}/mark-for-deletion', op: 'markAuthCertForDeletion', roles: [SO], write: true, h: (c) => {
      const { k, c: x } = cert(c.params.hash!);
      if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
      if (!e.certPossibleActions(ss, k, x).includes('UNREGISTER')) throw conflict('action_not_possible', 'UNREGISTER');
      x.status = 'DELETION_IN_PROGRESS';
      return noContent();
    } },

    // ---------- clients ----------
    { method: 'GET', path: '/clients', op: 'findClients', roles: [RO, SA, SYS, OBS, SO], h: (c) => {
      const q = c.query;
      const showMembers = qBool(q, 'show_members', true);
      const internal = qBool(q, 'internal_search', true);
      const validSign = q.has('local_valid_sign_cert') ? qBool(q, 'local_valid_sign_cert', false) : undefined;
      const excludeLocal = qBool(q, 'exclude_local', false);
      qBool(q, 'include_management_service_check', false);
      let list: Client[] = excludeLocal ? [] : ss.clients.map(clientView);
      if (!internal) {
        for (const m of gc()?.members ?? []) {
          const p = parseClientId(m.id)!;
          const cands = [{ ...p, subsystemCode: undefined as string | undefined, name: undefined as string | undefined }, ...m.subsystems.map((s) => ({ ...p, subsystemCode: s.code, name: s.name }))];
          for (const x of cands) {
            const id = clientIdOf(x);
            if (list.some((l) => l.id === id) || (!excludeLocal && e.findClient(ss, id))) continue;
            if (excludeLocal && e.findClient(ss, id)) continue;
            const v: Client = { id, instance_id: x.instance, member_name: m.name, member_class: x.memberClass, member_code: x.memberCode };
            if (x.subsystemCode) v.subsystem_code = x.subsystemCode;
            list.push(v);
          }
        }
      }
      const f = (k: string) => q.get(k) || undefined;
      const name = f('name'), instance = f('instance'), mclass = f('member_class'), mcode = f('member_code'), sub = f('subsystem_code');
      list = list.filter((x) => (showMembers || x.subsystem_code)
        && (!name || (x.member_name ?? '').toLowerCase().includes(name.toLowerCase()) || (x.subsystem_name ?? '').toLowerCase().includes(name.toLowerCase()))
        && (!instance || x.instance_id === instance) && (!mclass || x.member_class === mclass) && (!mcode || x.member_code.includes(mcode))
        && (!sub || (x.subsystem_code ?? '').includes(sub)) && (validSign === undefined || x.has_valid_local_sign_cert === validSign));
      return ok(list);
    } },
    { method: 'POST', path: '/clients', op: 'addClient', roles: [RO], write: true, h: (c) => {
      const b = c.json();
      const cl = obj(b, 'client', 'clientAdd');
      const ignore = optBool(b, 'ignore_warnings', 'clientAdd') ?? false;
      const mclass = identifierPart(str(cl, 'member_class', 'clientAdd.client'), 'clientAdd.client.memberClass');
      const mcode = identifierPart(str(cl, 'member_code', 'clientAdd.client'), 'clientAdd.client.memberCode');
      const sub = optStr(cl, 'subsystem_code', 'clientAdd.client');
      if (sub !== undefined) identifierPart(sub, 'clientAdd.client.subsystemCode');
      const subName = optStr(cl, 'subsystem_name', 'clientAdd.client');
      const conn = optEnum(cl, 'connection_type', 'clientAdd.client', CONN) ?? 'HTTPS';
      const instId = optStr(cl, 'instance_id', 'clientAdd.client');
      requireInit();
      if (instId && instId !== inst) throw bad('invalid_instance_identifier', instId);
      if (!gc()?.memberClasses.includes(mclass)) throw bad('invalid_member_class', mclass);
      const cs: ClientState = { instance: inst, memberClass: mclass, memberCode: mcode, connectionType: conn, status: 'SAVED', tlsCerts: [] };
      if (sub) cs.subsystemCode = sub;
      if (subName) cs.subsystemName = subName;
      const id = clientIdOf(cs);
      if (e.findClient(ss, id)) throw conflict('client_already_exists', id);
      if (!sub && memberIdOf(cs) !== owner() && ss.clients.some((x) => !x.subsystemCode && memberIdOf(x) !== owner())) throw conflict('additional_member_already_exists');
      if (!gc()?.members.some((m) => m.id === memberIdOf(cs)) && !ignore) throw warningsDetected([{ code: 'unregistered_member', metadata: [memberIdOf(cs)] }]);
      ss.clients.push(cs);
      e.reconcile(ss);
      return ok(clientView(cs), 201);
    } },
    { method: 'GET', path: '/clients/{id}', op: 'getClient', roles: [RO, SA, SYS, OBS, SO], h: (c) => ok(clientView(client(c.params.id!))) },
    { method: 'PATCH', path: '/clients/{id}', op: 'updateClient', roles: [SA, RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      const ct = optEnum(c.json(), 'connection_type', 'connectionTypeWrapper', CONN);
      if (ct) cl.connectionType = ct;
      return ok(clientView(cl));
    } },
    { method: 'DELETE', path: '/clients/{id}', op: 'deleteClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      const id = clientIdOf(cl);
      if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_delete_owner');
      if (!['SAVED', 'DELETION_IN_PROGRESS', 'GLOBAL_ERROR'].includes(cl.status)) throw conflict('action_not_possible', 'DELETE');
      ss.clients = ss.clients.filter((x) => x !== cl);
      ss.serviceDescriptions = ss.serviceDescriptions.filter((x) => x.clientId !== id);
      ss.acls = ss.acls.filter((x) => x.clientId !== id && x.subjectId !== id);
      ss.localGroups = ss.localGroups.filter((x) => x.clientId !== id);
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/register', op: 'registerClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_register_owner');
      if (cl.status !== 'SAVED') throw conflict('action_not_possible', 'REGISTER');
      e.requireGcFresh(ss);
      e.requireSigner(ss, [...new Set([owner(), memberIdOf(cl)])], true);
      submit({ type: 'CLIENT_REGISTRATION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl), subsystemName: cl.subsystemName });
      cl.status = 'REGISTRATION_IN_PROGRESS';
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/unregister', op: 'unregisterClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_unregister_owner');
      if (!['REGISTERED', 'REGISTRATION_IN_PROGRESS', 'DISABLED'].includes(cl.status)) throw conflict('action_not_possible', 'UNREGISTER');
      e.requireSigner(ss, [owner()], true);
      submit({ type: 'CLIENT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
      cl.status = 'DELETION_IN_PROGRESS';
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/disable', op: 'disableClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      if (cl.status !== 'REGISTERED') throw conflict('action_not_possible', 'DISABLE');
      e.requireSigner(ss, [memberIdOf(cl)], true);
      submit({ type: 'CLIENT_DISABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
      cl.status = 'DISABLING_IN_PROGRESS';
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/enable', op: 'enableClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      if (cl.status !== 'DISABLED') throw conflict('action_not_possible', 'ENABLE');
      e.requireSigner(ss, [memberIdOf(cl)], true);
      submit({ type: 'CLIENT_ENABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
      cl.status = 'ENABLING_IN_PROGRESS';
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/rename', op: 'renameClient', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      const n = str(c.json(), 'client_name', 'clientName');
      if (!cl.subsystemCode) throw conflict('action_not_possible', 'RENAME');
      if (cl.status === 'REGISTERED') {
        e.requireSigner(ss, [memberIdOf(cl)], true);
        submit({ type: 'CLIENT_RENAME_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl), subsystemName: n });
        cl.renameStatus = 'NAME_SUBMITTED';
      } else cl.renameStatus = 'NAME_SET';
      cl.subsystemName = n;
      return noContent();
    } },
    { method: 'PUT', path: '/clients/{id}/make-owner', op: 'changeOwner', roles: [RO], write: true, h: (c) => {
      const cl = client(c.params.id!);
      if (cl.subsystemCode || memberIdOf(cl) === owner() || cl.status !== 'REGISTERED') throw conflict('action_not_possible', 'MAKE_OWNER');
      e.requireSigner(ss, [memberIdOf(cl)], true);
      submit({ type: 'OWNER_CHANGE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
      return noContent();
    } },
    { method: 'GET', path: '/clients/{id}/sign-certificates', op: 'getClientSignCertificates', roles: [RO, SA, SYS, OBS, SO], h: (c) => {
      const cl = client(c.params.id!);
      return ok(ss.keys.flatMap((k) => k.certs.filter((x) => x.ownerId === memberIdOf(cl)).map((x) => e.certView(ss, k, x))));
    } },
    { method: 'GET', path: '/clients/{id}/security-servers', op: 'getClientSecurityServers', roles: [RO, SA, SYS, OBS, SO], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      return ok((gc()?.servers ?? []).filter((s) => s.clients.includes(id) || s.id.startsWith(id + ':')).map((s) => {
        const p = s.id.split(':');
        return { id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address };
      }));
    } },
    { method: 'GET', path: '/clients/{id}/orphans', op: 'getClientOrphans', roles: [RO], h: (c) => {
      client(c.params.id!);
      return ok({ orphans_exist: false });
    } },

    // ---------- service descriptions ----------
    { method: 'GET', path: '/clients/{id}/service-descriptions', op: 'getClientServiceDescriptions', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      return ok(ss.serviceDescriptions.filter((x) => x.clientId === id).map(sdView));
    } },
    { method: 'POST', path: '/clients/{id}/service-descriptions', op: 'addClientServiceDescription', roles: [SA], write: true, h: (c) => {
      const cl = client(c.params.id!);
      const b = c.json();
      const url = str(b, 'url', 'serviceDescriptionAdd');
      const type = enumOf(b, 'type', 'serviceDescriptionAdd', STYPES);
      const code = optStr(b, 'rest_service_code', 'serviceDescriptionAdd');
      optBool(b, 'ignore_warnings', 'serviceDescriptionAdd');
      if (!validUrl(url)) throw bad('invalid_url', url);
      const id = clientIdOf(cl);
      const mine = ss.serviceDescriptions.filter((x) => x.clientId === id);
      if (mine.some((x) => x.url === url)) throw conflict('url_already_exists', url);
      const codes = new Set(mine.flatMap((x) => x.services.map((s) => s.serviceCode)));
      const sd: ServiceDescriptionState = { id: nextId(st), clientId: id, url, type, disabled: true, disabledNotice: DEFAULT_DISABLED_NOTICE, refreshedAt: iso(), services: [] };
      if (type === 'WSDL') {
        const sc = wsdlServiceCode(url);
        if (codes.has(sc)) throw conflict('service_already_exists', sc, url);
        sd.services.push(addService(sd, sc, new URL(url).origin + '/' + sc, 'v1'));
      } else {
        if (!code) throw bad('missing_parameter', 'rest_service_code');
        identifierPart(code, 'serviceDescriptionAdd.restServiceCode');
        if (RESERVED.includes(code)) throw bad('service_code_reserved', code);
        if (codes.has(code)) throw conflict('service_code_already_exists', code);
        sd.restServiceCode = code;
        sd.services.push(addService(sd, code, type === 'REST' ? url : new URL(url).origin));
      }
      ss.serviceDescriptions.push(sd);
      return ok(sdView(sd), 201);
    } },
    { method: 'GET', path: '/service-descriptions/{id}', op: 'getServiceDescription', roles: [SA, OBS], h: (c) => ok(sdView(findSd(c.params.id!))) },
    { method: 'GET', path: '/service-descriptions/{id}/services', op: 'getServiceDescriptionServices', roles: [SA, OBS], h: (c) => {
      const sd = findSd(c.params.id!);
      return ok(sd.services.map((s) => serviceView(sd, s)));
    } },
    { method: 'PATCH', path: '/service-descriptions/{id}', op: 'updateServiceDescription', roles: [SA], write: true, h: (c) => {
      const sd = findSd(c.params.id!);
      const b = c.json();
      const url = str(b, 'url', 'serviceDescriptionUpdate');
      const type = enumOf(b, 'type', 'serviceDescriptionUpdate', STYPES);
      const newCode = optStr(b, 'new_rest_service_code', 'serviceDescriptionUpdate');
      optStr(b, 'rest_service_code', 'serviceDescriptionUpdate');
      optBool(b, 'ignore_warnings', 'serviceDescriptionUpdate');
      if (type !== sd.type) throw bad('wrong_type', type);
      if (!validUrl(url)) throw bad('invalid_url', url);
      if (url !== sd.url && ss.serviceDescriptions.some((x) => x.clientId === sd.clientId && x.url === url)) throw conflict('url_already_exists', url);
      sd.url = url;
      if (sd.type !== 'WSDL') {
        const s = sd.services[0]!;
        if (newCode && newCode !== s.serviceCode) {
          if (RESERVED.includes(newCode)) throw bad('service_code_reserved', newCode);
          if (ss.serviceDescriptions.some((x) => x.clientId === sd.clientId && x.services.some((y) => y.serviceCode === newCode))) throw conflict('service_code_already_exists', newCode);
          for (const a of ss.acls) if (a.clientId === sd.clientId && a.serviceCode === s.serviceCode) a.serviceCode = newCode;
          s.serviceCode = newCode;
          s.title = newCode;
          sd.restServiceCode = newCode;
        }
        s.url = sd.type === 'REST' ? url : new URL(url).origin;
      }
      sd.refreshedAt = iso();
      return ok(sdView(sd));
    } },
    { method: 'DELETE', path: '/service-descriptions/{id}', op: 'deleteServiceDescription', roles: [SA], write: true, h: (c) => {
      const sd = findSd(c.params.id!);
      const codes = new Set(sd.services.map((s) => s.serviceCode));
      ss.acls = ss.acls.filter((a) => !(a.clientId === sd.clientId && codes.has(a.serviceCode)));
      ss.serviceDescriptions = ss.serviceDescriptions.filter((x) => x !== sd);
      return noContent();
    } },
    { method: 'PUT', path: '/service-descriptions/{id}/enable', op: 'enableServiceDescription', roles: [SA], write: true, h: (c) => {
      findSd(c.params.id!).disabled = false;
      return noContent();
    } },
    { method: 'PUT', path: '/service-descriptions/{id}/disable', op: 'disableServiceDescription', roles: [SA], write: true, h: (c) => {
      const sd = findSd(c.params.id!);
      const notice = c.body.length ? optStr(c.json(), 'disabled_notice', 'serviceDescriptionDisabledNotice') : undefined;
      sd.disabled = true;
      sd.disabledNotice = notice ?? sd.disabledNotice;
      return noContent();
    } },
    { method: 'PUT', path: '/service-descriptions/{id}/refresh', op: 'refreshServiceDescription', roles: [SA], write: true, h: (c) => {
      const sd = findSd(c.params.id!);
      if (c.body.length) optBool(c.json(), 'ignore_warnings', 'ignoreWarnings');
      sd.refreshedAt = iso();
      return ok(sdView(sd));
    } },

    // ---------- services / endpoints ----------
    { method: 'GET', path: '/services/{id}', op: 'getService', roles: [SA, OBS], h: (c) => {
      const { sd, s } = findService(c.params.id!);
      return ok(serviceView(sd, s));
    } },
    { method: 'PATCH', path: '/services/{id}', op: 'updateService', roles: [SA], write: true, h: (c) => {
      const { sd, s } = findService(c.params.id!);
      const b = c.json();
      const url = str(b, 'url', 'serviceUpdate');
      const timeout = optInt(b, 'timeout', 'serviceUpdate', 0, 1000);
      if (timeout === undefined) throw new ApiError(400, 'validation_failure', undefined, undefined, { 'serviceUpdate.timeout': ['NotNull'] });
      const ssl = optBool(b, 'ssl_auth', 'serviceUpdate');
      if (ssl === undefined) throw new ApiError(400, 'validation_failure', undefined, undefined, { 'serviceUpdate.sslAuth': ['NotNull'] });
      const urlAll = optBool(b, 'url_all', 'serviceUpdate'), toAll = optBool(b, 'timeout_all', 'serviceUpdate'), sslAll = optBool(b, 'ssl_auth_all', 'serviceUpdate');
      optBool(b, 'ignore_warnings', 'serviceUpdate');
      if (!validUrl(url)) throw bad('invalid_url', url);
      if (ssl && !url.startsWith('https:')) throw bad('invalid_https_url', url);
      for (const x of sd.services) {
        if (x === s || urlAll) x.url = url;
        if (x === s || toAll) x.timeout = timeout;
        if (x === s || sslAll) x.sslAuth = ssl && x.url.startsWith('https:');
      }
      return ok(serviceView(sd, s));
    } },
    { method: 'POST', path: '/services/{id}/endpoints', op: 'addEndpoint', roles: [SA], write: true, h: (c) => {
      const { sd, s } = findService(c.params.id!);
      const b = c.json();
      if (b.id !== undefined) throw bad('endpoint_id_should_not_be_provided');
      const method = enumOf(b, 'method', 'endpoint', METHODS);
      const path = str(b, 'path', 'endpoint');
      if (sd.type === 'WSDL') throw bad('wrong_service_type');
      if (s.endpoints.some((x) => x.method === method && x.path === path)) throw conflict('endpoint_already_exists', method, path);
      const ep = { id: nextId(st), method, path, generated: false };
      s.endpoints.push(ep);
      return ok(endpointView(s, ep), 201);
    } },
    { method: 'GET', path: '/endpoints/{id}', op: 'getEndpoint', roles: [SA, OBS], h: (c) => {
      const { s, ep } = findEndpoint(c.params.id!);
      return ok(endpointView(s, ep));
    } },
    { method: 'PATCH', path: '/endpoints/{id}', op: 'updateEndpoint', roles: [SA], write: true, h: (c) => {
      const { s, ep } = findEndpoint(c.params.id!);
      const b = c.json();
      const method = enumOf(b, 'method', 'endpointUpdate', METHODS);
      const path = str(b, 'path', 'endpointUpdate');
      if (ep.generated) throw bad('illegal_generated_endpoint_update');
      if (s.endpoints.some((x) => x !== ep && x.method === method && x.path === path)) throw conflict('endpoint_already_exists', method, path);
      ep.method = method;
      ep.path = path;
      return ok(endpointView(s, ep));
    } },
    { method: 'DELETE', path: '/endpoints/{id}', op: 'deleteEndpoint', roles: [SA], write: true, h: (c) => {
      const { s, ep } = findEndpoint(c.params.id!);
      if (ep.generated) throw bad('illegal_generated_endpoint_remove');
      s.endpoints = s.endpoints.filter((x) => x !== ep);
      ss.acls = ss.acls.filter((a) => a.endpointId !== ep.id);
      return noContent();
    } },
    { method: 'GET', path: '/services/{id}/service-clients', op: 'getServiceServiceClients', roles: [SA, OBS], h: (c) => {
      const { sd, s } = findService(c.params.id!);
      return ok(serviceClientsOf(sd.clientId, (a) => a.serviceCode === s.serviceCode && !a.endpointId));
    } },
    { method: 'POST', path: '/services/{id}/service-clients', op: 'addServiceServiceClients', roles: [SA], write: true, h: (c) => {
      const { sd, s } = findService(c.params.id!);
      const ids = scItems(c);
      const subs = ids.map((id) => subject(sd.clientId, id));
      for (const x of subs) if (ss.acls.some((a) => a.clientId === sd.clientId && a.serviceCode === s.serviceCode && !a.endpointId && a.subjectId === x.id)) throw conflict('duplicate_accessright', x.id);
      for (const x of subs) ss.acls.push({ clientId: sd.clientId, serviceCode: s.serviceCode, subjectId: x.id, givenAt: iso() });
      return ok(serviceClientsOf(sd.clientId, (a) => a.serviceCode === s.serviceCode && !a.endpointId), 201);
    } },
    { method: 'POST', path: '/services/{id}/service-clients/delete', op: 'deleteServiceServiceClients', roles: [SA], write: true, h: (c) => {
      const { sd, s } = findService(c.params.id!);
      const ids = scItems(c);
      for (const id of ids) if (!ss.acls.some((a) => a.clientId === sd.clientId && a.serviceCode === s.serviceCode && a.subjectId === id)) throw bad('service_client_not_found', id);
      const epIds = new Set(s.endpoints.map((x) => x.id));
      ss.acls = ss.acls.filter((a) => !(a.clientId === sd.clientId && ids.includes(a.subjectId) && (a.serviceCode === s.serviceCode || (a.endpointId && epIds.has(a.endpointId)))));
      return noContent();
    } },
    { method: 'GET', path: '/endpoints/{id}/service-clients', op: 'getEndpointServiceClients', roles: [SA, OBS], h: (c) => {
      const { sd, ep } = findEndpoint(c.params.id!);
      return ok(serviceClientsOf(sd.clientId, (a) => a.endpointId === ep.id));
    } },
    { method: 'POST', path: '/endpoints/{id}/service-clients', op: 'addEndpointServiceClients', roles: [SA], write: true, h: (c) => {
      const { sd, s, ep } = findEndpoint(c.params.id!);
      const subs = scItems(c).map((id) => subject(sd.clientId, id));
      for (const x of subs) if (ss.acls.some((a) => a.endpointId === ep.id && a.subjectId === x.id)) throw conflict('duplicate_accessright', x.id);
      for (const x of subs) ss.acls.push({ clientId: sd.clientId, serviceCode: s.serviceCode, endpointId: ep.id, subjectId: x.id, givenAt: iso() });
      return ok(serviceClientsOf(sd.clientId, (a) => a.endpointId === ep.id), 201);
    } },
    { method: 'POST', path: '/endpoints/{id}/service-clients/delete', op: 'deleteEndpointServiceClients', roles: [SA], write: true, h: (c) => {
      const { ep } = findEndpoint(c.params.id!);
      const ids = scItems(c);
      for (const id of ids) if (!ss.acls.some((a) => a.endpointId === ep.id && a.subjectId === id)) throw bad('service_client_not_found', id);
      ss.acls = ss.acls.filter((a) => !(a.endpointId === ep.id && ids.includes(a.subjectId)));
      return noContent();
    } },

    // ---------- service-client-centric access rights ----------
    { method: 'GET', path: '/clients/{id}/service-clients', op: 'getClientServiceClients', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      return ok(serviceClientsOf(id, () => true));
    } },
    { method: 'GET', path: '/clients/{id}/service-clients/{sc_id}', op: 'getServiceClient', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const found = serviceClientsOf(id, (a) => a.subjectId === c.params.sc_id)[0];
      if (!found) throw notFound('service_client_not_found', c.params.sc_id!);
      return ok(found);
    } },
    { method: 'GET', path: '/clients/{id}/service-clients/{sc_id}/access-rights', op: 'getServiceClientAccessRights', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const list = aclsFor(id, c.params.sc_id!);
      if (!list.length) {
        subject(id, c.params.sc_id!);
      }
      return ok(list.map((a) => ({ service_code: a.serviceCode, service_title: serviceTitle(id, a.serviceCode) ?? a.serviceCode, rights_given_at: a.givenAt })));
    } },
    { method: 'POST', path: '/clients/{id}/service-clients/{sc_id}/access-rights', op: 'addServiceClientAccessRights', roles: [SA], write: true, h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const sc = c.params.sc_id!;
      const items = arr(c.json(), 'items', 'accessRights', true).map((it, i) => {
        if (!it || typeof it !== 'object') throw new ApiError(400, 'validation_failure', undefined, undefined, { [`accessRights.items[${i}]`]: ['NotNull'] });
        return str(it as Record<string, unknown>, 'service_code', `accessRights.items[${i}]`);
      });
      subject(id, sc);
      for (const code of items) {
        if (!ss.serviceDescriptions.some((x) => x.clientId === id && x.services.some((s) => s.serviceCode === code))) throw notFound('service_not_found', code);
        if (aclsFor(id, sc).some((a) => a.serviceCode === code)) throw conflict('duplicate_accessright', code);
      }
      const added = items.map((code) => {
        const a = { clientId: id, serviceCode: code, subjectId: sc, givenAt: iso() };
        ss.acls.push(a);
        return { service_code: code, service_title: serviceTitle(id, code) ?? code, rights_given_at: a.givenAt };
      });
      return ok(added, 201);
    } },
    { method: 'POST', path: '/clients/{id}/service-clients/{sc_id}/access-rights/delete', op: 'deleteServiceClientAccessRights', roles: [SA], write: true, h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const sc = c.params.sc_id!;
      const items = arr(c.json(), 'items', 'accessRights', true).map((it, i) => str((it ?? {}) as Record<string, unknown>, 'service_code', `accessRights.items[${i}]`));
      for (const code of items) if (!aclsFor(id, sc).some((a) => a.serviceCode === code)) throw bad('access_right_not_found', code);
      ss.acls = ss.acls.filter((a) => !(a.clientId === id && a.subjectId === sc && items.includes(a.serviceCode)));
      return noContent();
    } },
    { method: 'GET', path: '/clients/{id}/service-client-candidates', op: 'findServiceClientCandidates', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const type = qEnum(c.query, 'service_client_type', SC_TYPES);
      const out: ServiceClient[] = [];
      if (!type || type === 'SUBSYSTEM') for (const m of gc()?.members ?? []) for (const s of m.subsystems) out.push({ id: `${m.id}:${s.code}`, name: s.name ?? s.code, service_client_type: 'SUBSYSTEM' });
      if (!type || type === 'GLOBALGROUP') for (const g of gc()?.globalGroups ?? []) out.push({ id: `${inst}:${g.code}`, name: g.code, service_client_type: 'GLOBALGROUP' });
      if (!type || type === 'LOCALGROUP') for (const g of ss.localGroups.filter((x) => x.clientId === id)) out.push({ id: g.id, name: g.description, local_group_code: g.code, service_client_type: 'LOCALGROUP' });
      return ok(out);
    } },

    // ---------- local groups ----------
    { method: 'GET', path: '/clients/{id}/local-groups', op: 'getClientLocalGroups', roles: [SA, OBS], h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      return ok(ss.localGroups.filter((g) => g.clientId === id).map((g) => groupView(g, false)));
    } },
    { method: 'POST', path: '/clients/{id}/local-groups', op: 'addClientLocalGroup', roles: [SA], write: true, h: (c) => {
      const id = clientIdOf(client(c.params.id!));
      const b = c.json();
      const code = str(b, 'code', 'localGroupAdd');
      const description = str(b, 'description', 'localGroupAdd');
      if (ss.localGroups.some((g) => g.clientId === id && g.code === code)) throw conflict('local_group_code_already_exists', code);
      const g = { id: nextId(st), clientId: id, code, description, updatedAt: iso(), members: [] };
      ss.localGroups.push(g);
      return ok(groupView(g, true), 201);
    } },
    { method: 'GET', path: '/local-groups/{group_id}', op: 'getLocalGroup', roles: [SA, OBS], h: (c) => ok(groupView(findGroup(c.params.group_id!), true)) },
    { method: 'PATCH', path: '/local-groups/{group_id}', op: 'updateLocalGroup', roles: [SA], write: true, h: (c) => {
      const g = findGroup(c.params.group_id!);
      g.description = str(c.json(), 'description', 'localGroupDescription');
      g.updatedAt = iso();
      return ok(groupView(g, true));
    } },
    { method: 'DELETE', path: '/local-groups/{group_id}', op: 'deleteLocalGroup', roles: [SA], write: true, h: (c) => {
      const g = findGroup(c.params.group_id!);
      ss.localGroups = ss.localGroups.filter((x) => x !== g);
      ss.acls = ss.acls.filter((a) => !(a.clientId === g.clientId && a.subjectId === g.id));
      return noContent();
    } },
    { method: 'POST', path: '/local-groups/{group_id}/members', op: 'addLocalGroupMember', roles: [SA], write: true, h: (c) => {
      const g = findGroup(c.params.group_id!);
      const items = arr(c.json(), 'items', 'members', true).map((x, i) => {
        if (typeof x !== 'string') throw new ApiError(400, 'validation_failure', undefined, undefined, { [`members.items[${i}]`]: ['TypeMismatch'] });
        return x;
      });
      for (const id of items) {
        const p = parseClientId(id);
        if (!p || !p.subsystemCode) throw bad('invalid_identifier', id);
        if (!gc()?.members.some((m) => m.id === memberIdOf(p) && m.subsystems.some((s) => s.code === p.subsystemCode)) && !e.findClient(ss, id)) throw notFound('client_not_found', id);
        if (g.members.some((m) => m.id === id)) throw conflict('member_already_exists', id);
      }
      for (const id of items) g.members.push({ id, createdAt: iso() });
      g.updatedAt = iso();
      return ok({ items }, 201);
    } },
    { method: 'POST', path: '/local-groups/{group_id}/members/delete', op: 'deleteLocalGroupMember', roles: [SA], write: true, h: (c) => {
      const g = findGroup(c.params.group_id!);
      const items = arr(c.json(), 'items', 'members', true).map((x) => String(x));
      for (const id of items) if (!g.members.some((m) => m.id === id)) throw notFound('local_group_member_not_found', id);
      g.members = g.members.filter((m) => !items.includes(m.id));
      g.updatedAt = iso();
      return noContent();
    } },

    // ---------- timestamping ----------
    { method: 'GET', path: '/timestamping-services', op: 'getApprovedTimestampingServices', roles: [SO, SYS, OBS], h: () => ok(ss.anchor ? [st.tsa] : []) },
    { method: 'GET', path: '/system/timestamping-services', op: 'getConfiguredTimestampingServices', roles: [SO, SYS, OBS], h: () => ok(ss.tsps) },
    { method: 'POST', path: '/system/timestamping-services', op: 'addConfiguredTimestampingService', roles: [SO], write: true, h: (c) => {
      const b = c.json();
      const name = str(b, 'name', 'timestampingService'), url = str(b, 'url', 'timestampingService');
      const cost = enumOf(b, 'cost_type', 'timestampingService', ['FREE', 'PAID', 'UNDEFINED'] as const);
      if (!(st.tsa.url === url && st.tsa.name === name)) throw bad('invalid_timestamping_service', url);
      if (ss.tsps.some((t) => t.url === url)) throw conflict('service_exists', url);
      ss.tsps.push({ name, url, cost_type: cost });
      return ok({ name, url, cost_type: cost }, 201);
    } },
    { method: 'POST', path: '/system/timestamping-services/delete', op: 'deleteConfiguredTimestampingService', roles: [SO], write: true, h: (c) => {
      const url = str(c.json(), 'url', 'timestampingService');
      if (!ss.tsps.some((t) => t.url === url)) throw notFound('timestamping_service_not_found', url);
      ss.tsps = ss.tsps.filter((t) => t.url !== url);
      return noContent();
    } },

    // ---------- diagnostics ----------
    { method: 'GET', path: '/diagnostics/globalconf', op: 'getGlobalConfDiagnostics', roles: [SYS, OBS], h: () => {
      const prev = ss.gc.downloadedAt ?? iso();
      const next = new Date(new Date(prev).getTime() + e.periods.dl).toISOString();
      const outdated = !ss.anchor || e.gcOutdated(ss);
      const failing = e.gcDownloadFailing.has(ss.name);
      const status = !ss.anchor ? 'WAITING' : outdated || failing ? 'FAIL' : 'OK';
      const error = !ss.anchor ? undefined : failing ? { code: 'conf_download_failed', metadata: ['http://127.0.0.1/internalconf'] } : outdated ? { code: 'global_conf_outdated' } : undefined;
      return ok({ status_class: status, prev_update_at: prev, next_update_at: next, last_successful_url: `http://127.0.0.1/internalconf`, ...(error ? { error } : {}) });
    } },
    { method: 'GET', path: '/diagnostics/global-conf-status', op: 'getGlobalConfStatus', roles: [SYS, OBS], h: () => ok(ss.anchor ? [{
      download_url: 'http://127.0.0.1/internalconf',
      connection_status: e.gcDownloadFailing.has(ss.name) ? { status_class: 'FAIL', error: { code: 'conf_download_failed' } } : { status_class: 'OK', error: { code: 'ok' } },
    }] : []) },
    { method: 'GET', path: '/diagnostics/ocsp-responders', op: 'getOcspRespondersDiagnostics', roles: [SYS, OBS], h: () => {
      const t = ss.gc.downloadedAt ?? iso();
      return ok((gc()?.caNames ?? []).map((n) => e.caByName(n)!).filter(Boolean).map((ca) => ({
        distinguished_name: certInfo(Buffer.from(ca.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).subject.map((a) => `${a.name}=${a.value}`).join(', '),
        ocsp_responders: [{ url: ca.ocspUrl, cost_type: 'FREE', status_class: 'OK', prev_update_at: t, next_update_at: new Date(new Date(t).getTime() + e.periods.dl).toISOString() }],
      })));
    } },
    { method: 'GET', path: '/diagnostics/timestamping-services', op: 'getTimestampingServicesDiagnostics', roles: [SYS, OBS], h: () => ok(ss.tsps.map((t) => ({ url: t.url, cost_type: t.cost_type, status_class: 'OK', prev_update_at: ss.gc.downloadedAt ?? iso() }))) },
    { method: 'GET', path: '/diagnostics/auth-cert-req-status', op: 'getAuthCertReqStatus', roles: [SYS, OBS], h: () => {
      const has = ss.keys.some((k) => k.usage === 'AUTHENTICATION' && k.certs.length > 0);
      return ok(has ? { status_class: 'OK', error: { code: 'ok' } } : { status_class: 'FAIL', error: { code: 'no_auth_cert', metadata: ['No authentication certificate found'] } });
    } },
    { method: 'GET', path: '/diagnostics/addon-status', op: 'getAddOnDiagnostics', roles: [SYS, OBS], h: () => ok({ messagelog_enabled: true, opmonitoring_enabled: false }) },
    { method: 'GET', path: '/diagnostics/backup-encryption-status', op: 'getBackupEncryptionDiagnostics', roles: [SYS, OBS], h: () => ok({ backup_encryption_status: false, backup_encryption_keys: [] }) },
    { method: 'GET', path: '/diagnostics/proxy-memory-usage-status', op: 'getProxyMemoryUsage', roles: [SYS, OBS], h: () => {
      const m = process.memoryUsage();
      return ok({ max_memory: 1024 * 1024 * 1024, total_memory: m.heapTotal, used_memory: m.heapUsed, threshold: 90, usage_percent: Math.round((m.heapUsed / (1024 * 1024 * 1024)) * 100), is_used_over_threshold: false });
    } },

    { method: 'GET', path: '/diagnostics/other-security-server-status', op: 'getOtherSecurityServerStatus', roles: [SYS, OBS], h: (c) => {
      qEnum(c.query, 'protocol_type', ['REST', 'SOAP'] as const, true);
      const need = (k: string) => {
        const v = c.query.get(k);
        if (!v) throw new ApiError(400, 'validation_failure', [`${k} is required`], undefined, { [k]: ['NotNull'] });
        return v;
      };
      const clientId = need('client_id'), target = need('target_client_id'), serverId = need('security_server_id');
      if (!e.findClient(ss, clientId)) throw notFound('client_not_found', clientId);
      const srv = gc()?.servers.find((x) => x.id === serverId);
      if (!srv) return ok({ status_class: 'FAIL', error: { code: 'security_server_not_found', metadata: [serverId] } });
      if (!e.hasUsableAuth(ss)) return ok({ status_class: 'FAIL', error: { code: 'no_valid_auth_cert', metadata: ['this security server has no usable authentication certificate'] } });
      const t = parseClientId(target);
      const targetKnown = !!t && (srv.clients.includes(target) || srv.id.startsWith(memberIdOf(t) + ':'));
      return ok(targetKnown ? { status_class: 'OK', error: { code: 'ok' } } : { status_class: 'FAIL', error: { code: 'client_not_found', metadata: [target] } });
    } },
    { method: 'GET', path: '/diagnostics/message-log-encryption-status', op: 'getMessageLogEncryptionDiagnostics', roles: [SYS, OBS], h: () => ok({ message_log_archive_encryption_status: false, message_log_database_encryption_status: false, message_log_grouping_rule: 'none', members: [] }) },
    { method: 'GET', path: '/diagnostics/info/download', op: 'downloadDiagnosticsReport', roles: [SYS, OBS], h: () => ({
      status: 200,
      raw: Buffer.from(JSON.stringify({ server: ssServerId(st, ss) ?? null, version: '7.8.1 (xrdctl sandbox)', globalconf: { downloaded_at: ss.gc.downloadedAt ?? null, outdated: e.gcOutdated(ss) }, token_logged_in: ss.loggedIn }, null, 2)),
      headers: { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="diagnostics_report.json"' },
    }) },
    { method: 'GET', path: '/backups', op: 'getBackups', roles: [SYS], h: () => ok([]) },
    { method: 'GET', path: '/system/certificate', op: 'getSystemCertificate', roles: [SYS, OBS], h: () => ok(certificateDetails(pemToDer(st.tls[ss.name]!.certPem))) },
    { method: 'GET', path: '/clients/{id}/tls-certificates', op: 'getClientTlsCertificates', roles: [SA, OBS, RO], h: (c) => {
      client(c.params.id!);
      return ok([]);
    } },
    { method: 'GET', path: '/mail/mail-notification-status', op: 'getMailNotificationStatus', roles: [SYS, OBS], h: () => ok({ enabled_notifications: [], configuration_present: false, recipients_emails: [] }) },
    { method: 'GET', path: '/certificate-authorities/ocsp-prioritization-strategy', op: 'getOcspPrioritizationStrategy', roles: [SYS, OBS, SO], h: () => ok('NONE') },
    { method: 'GET', path: '/system/timestamping-services/prioritization-strategy', op: 'getTimestampingPrioritizationStrategy', roles: [SYS, OBS, SO], h: () => ok('NONE') },

    // ---------- system ----------
    { method: 'GET', path: '/system/version', op: 'systemVersion', roles: 'any', h: () => ok({ info: '7.8.1 (xrdctl sandbox)', java_version: 21, min_java_version: 21, max_java_version: 21, using_supported_java_version: true, java_vendor: 'xrdctl sandbox', java_runtime_version: process.version, global_configuration_version: 6 }) },
    { method: 'GET', path: '/system/server-address', op: 'getServerAddress', roles: [SYS, OBS, SO, RO], h: () => ok({ current_address: { address: ss.address }, ...(ss.requestedAddress ? { requested_change: { address: ss.requestedAddress } } : {}) }) },
    { method: 'PUT', path: '/system/server-address', op: 'addressChange', roles: [SYS], write: true, h: (c) => {
      const address = str(c.json(), 'address', 'securityServerAddress');
      requireInit();
      if (ss.requestedAddress) throw conflict('address_change_request_already_submitted');
      e.requireSigner(ss, [owner()], true);
      submit({ type: 'ADDRESS_CHANGE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), address });
      ss.requestedAddress = address;
      return { status: 202 };
    } },
    { method: 'GET', path: '/system/maintenance-mode', op: 'maintenanceMode', roles: [SYS, OBS], h: () => ok({
      status: ss.maintenancePending === 'ENABLE' ? 'PENDING_ENABLE_MAINTENANCE_MODE' : ss.maintenancePending === 'DISABLE' ? 'PENDING_DISABLE_MAINTENANCE_MODE' : ss.maintenance ? 'ENABLED_MAINTENANCE_MODE' : 'DISABLED_MAINTENANCE_MODE',
      message: ss.maintenanceMessage ?? '', is_management_services_provider: false,
    }) },
    { method: 'PUT', path: '/system/maintenance-mode/enable', op: 'enableMaintenanceMode', roles: [SYS], write: true, h: (c) => {
      const message = c.body.length ? optStr(c.json(), 'message', 'maintenanceModeMessage') : undefined;
      requireInit();
      if (ss.maintenance || ss.maintenancePending) throw conflict('action_not_possible', 'ENABLE_MAINTENANCE_MODE');
      e.requireSigner(ss, [owner()], true);
      submit({ type: 'MAINTENANCE_MODE_ENABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), comments: message });
      ss.maintenancePending = 'ENABLE';
      return noContent();
    } },
    { method: 'PUT', path: '/system/maintenance-mode/disable', op: 'disableMaintenanceMode', roles: [SYS], write: true, h: () => {
      requireInit();
      if (!ss.maintenance || ss.maintenancePending) throw conflict('action_not_possible', 'DISABLE_MAINTENANCE_MODE');
      e.requireSigner(ss, [owner()], true);
      submit({ type: 'MAINTENANCE_MODE_DISABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail() });
      ss.maintenancePending = 'DISABLE';
      return noContent();
    } },
    { method: 'GET', path: '/system/node-type', op: 'getNodeType', roles: 'any', h: () => ok({ node_type: 'STANDALONE' }) },
    { method: 'GET', path: '/xroad-instances', op: 'getXRoadInstances', roles: 'any', h: () => ok(ss.anchor ? [{ identifier: inst, local: true }] : []) },
    { method: 'GET', path: '/member-classes', op: 'getMemberClasses', roles: 'any', h: (c) => {
      qBool(c.query, 'current_instance', false);
      return ok(gc()?.memberClasses ?? []);
    } },
    { method: 'GET', path: '/member-classes/{id}', op: 'getMemberClassesForInstance', roles: 'any', h: (c) => ok(c.params.id === inst ? gc()?.memberClasses ?? [] : []) },
    { method: 'GET', path: '/member-names', op: 'findMemberName', roles: [SYS, RO], h: (c) => {
      const mc = c.query.get('member_class'), code = c.query.get('member_code');
      if (!mc || !code) throw bad('missing_parameter', 'member_class/member_code');
      const n = e.memberName(ss, `${inst}:${mc}:${code}`);
      if (!n) throw notFound('member_not_found', `${inst}:${mc}:${code}`);
      return ok({ member_name: n });
    } },
    { method: 'GET', path: '/security-servers', op: 'getSecurityServers', roles: 'any', h: (c) => {
      const current = qBool(c.query, 'current_server', false);
      const me = ssServerId(st, ss);
      return ok((gc()?.servers ?? []).filter((s) => !current || s.id === me).map((s) => {
        const p = s.id.split(':');
        return { id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address };
      }));
    } },
    { method: 'GET', path: '/security-servers/{id}', op: 'getSecurityServer', roles: [SYS, SA, RO, SO, OBS], h: (c) => {
      const s = (gc()?.servers ?? []).find((x) => x.id === c.params.id);
      if (!s) throw notFound('security_server_not_found', c.params.id!);
      const p = s.id.split(':');
      return ok({ id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address });
    } },
  ];

  function parseAnchor(body: Buffer, validateInstance = true): { hash: string; createdAt: string; xml: string } {
    const xml = body.toString('utf8');
    const m = /<instanceIdentifier>([^<]+)<\/instanceIdentifier>/.exec(xml);
    const g = /<generatedAt>([^<]+)<\/generatedAt>/.exec(xml);
    if (!body.length || !m || !/configurationAnchor/.test(xml) || !/<downloadURL>/.test(xml)) throw bad('malformed_anchor');
    if (validateInstance && m[1] !== inst) throw bad('internal_anchor_upload_invalid_instance_id', m[1]!);
    const created = g && !Number.isNaN(Date.parse(g[1]!)) ? new Date(g[1]!).toISOString() : iso();
    return { hash: sha224Hex(body), createdAt: created, xml };
  }

  return routes;
}


export type { ClientStatus, ServiceType, CsrFormat };
export { forbidden, derToPem };
