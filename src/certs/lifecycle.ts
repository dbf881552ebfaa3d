import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { CertificateAuthority, CsrFormat, CsrSubjectFieldDescription, KeyUsageType, Token, TokenCertificate } from '../api/types/ss.js';
import { ConflictError, TimeoutError, UsageError } from '../errors/index.js';
import { listRequestsShared } from '../cs/requests.js';
import { assertSafeRemoval } from './safety.js';
import { GLOBALCONF_POLL, nextWait, sleep } from '../time/poll.js';
import { certRow, csrRows, findCert, findKey, resolveCertHash, usageOf, type CertRow } from './inventory.js';

export type Progress = (msg: string) => void;
const noop: Progress = () => {};

export function usageType(u: string): KeyUsageType {
  const x = u.toLowerCase();
  if (x === 'auth' || x === 'authentication') return 'AUTHENTICATION';
  if (x === 'sign' || x === 'signing') return 'SIGNING';
  throw new UsageError(`usage must be auth or sign, not '${u}'`);
}

/** Parse `KEY=VALUE` pairs (repeatable --subject flags). */
export function parseSubjectOverrides(pairs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--subject '${p}' is not FIELD=VALUE`, { hint: 'e.g. --subject CN=ss1.example.org' });
    out[p.slice(0, i).trim()] = p.slice(i + 1);
  }
  return out;
}

/**
 * Fill the CA's CSR subject fields: read-only fields take the server default, editable ones the
 * operator's override, then the default, then what the server's identity suggests (its DNS name
 * for CN / subjectAltName). Unknown overrides and blank required fields are errors before any write.
 */
export function fillSubjectFields(
  server: string,
  ca: string,
  fields: CsrSubjectFieldDescription[],
  overrides: Record<string, string>,
  identity: { address?: string },
): Record<string, string> {
  const known = new Set(fields.map((f) => f.id));
  const unknown = Object.keys(overrides).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new UsageError(`CA '${ca}' has no subject field ${unknown.join(', ')}`, {
      server,
      step: 'fill-csr-subject',
      hint: `its fields: ${fields.map((f) => `${f.id}${f.read_only ? ' (read-only)' : ''}`).join(', ')}`,
    });
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const f of fields) {
    let v: string | undefined;
    if (f.read_only) v = f.default_value;
    else v = overrides[f.id] ?? f.default_value;
    if (!v && !f.read_only) {
      const key = f.label_key ?? f.label ?? '';
      if (/DNS|SUBJECT_ALT|subjectAltName/i.test(key + f.id) && identity.address) v = identity.address;
      else if (f.id === 'CN' && identity.address) v = identity.address;
    }
    if (v) values[f.id] = v;
    else if (f.required && !f.read_only) missing.push(f.id);
  }
  if (missing.length) {
    throw new UsageError(`CA '${ca}' needs subject field ${missing.join(', ')}`, {
      server,
      step: 'fill-csr-subject',
      hint: missing.map((m) => `--subject ${m}=…`).join(' '),
    });
  }
  return values;
}

export async function findCa(api: SecurityServerApi, name: string, usage: KeyUsageType): Promise<CertificateAuthority> {
  const cas = await api.getApprovedCertificateAuthorities(usage);
  const ca = cas.find((c) => c.name === name);
  if (!ca) {
    throw new UsageError(`CA '${name}' is not approved for ${usage === 'AUTHENTICATION' ? 'auth' : 'sign'} certificates on this instance`, {
      server: api.server,
      step: 'find-ca',
      hint: cas.length ? `approved: ${cas.map((c) => c.name).join(', ')}` : 'the central server lists no approved CA',
    });
  }
  return ca;
}

export interface CsrCreateOptions {
  usage: KeyUsageType;
  ca: string;
  member?: string;
  tokenId?: string;
  /** reuse an existing key (new CSR for it) instead of creating a key */
  keyId?: string;
  label?: string;
  format?: CsrFormat;
  subject?: Record<string, string>;
  address?: string;
}

export interface CsrCreateResult {
  server: string;
  keyId: string;
  keyLabel: string;
  csrId: string;
  usage: 'auth' | 'sign';
  ca: string;
  format: CsrFormat;
  memberId: string | null;
  subject: Record<string, string>;
  csr: Buffer;
}

export async function createCsr(api: SecurityServerApi, o: CsrCreateOptions, progress: Progress = noop): Promise<CsrCreateResult> {
  const server = api.server;
  if (o.usage === 'SIGNING' && !o.member) throw new UsageError('a sign CSR needs --member INSTANCE:CLASS:CODE', { server, step: 'create-csr' });
  const tokenId = o.tokenId ?? '0';
  if (o.usage === 'AUTHENTICATION' && tokenId !== '0') {
    throw new UsageError('authentication keys can only live on the software token (0)', { server, step: 'create-csr' });
  }
  progress(`looking up CA ${o.ca}`);
  const ca = await findCa(api, o.ca, o.usage);
  // the CA's default format is enforced by the server: send it unless the operator chose otherwise
  const format: CsrFormat = o.format ?? ca.default_csr_format ?? 'PEM';
  if (ca.default_csr_format && o.format && o.format !== ca.default_csr_format) {
    throw new UsageError(`CA '${o.ca}' only accepts ${ca.default_csr_format} CSRs`, {
      server,
      step: 'create-csr',
      hint: `drop --format or pass --format ${ca.default_csr_format}`,
    });
  }
  let address = o.address;
  if (!address) {
    try {
      address = (await api.getServerAddress()).current_address?.address;
    } catch {
      address = undefined;
    }
  }
  const fields = await api.getSubjectFieldDescriptions(o.ca, { key_usage_type: o.usage, member_id: o.member, key_id: o.keyId });
  const subject = fillSubjectFields(server, o.ca, fields, o.subject ?? {}, { address });
  const request = { key_usage_type: o.usage, ca_name: o.ca, csr_format: format, member_id: o.member, subject_field_values: subject };
  let keyId: string;
  let keyLabel: string;
  let csrId: string;
  if (o.keyId) {
    progress(`generating a CSR for key ${o.keyId}`);
    const before = new Set((await api.getKey(o.keyId)).certificate_signing_requests.map((c) => c.id));
    await api.generateCsr(o.keyId, request);
    const key = await api.getKey(o.keyId);
    const created = key.certificate_signing_requests.find((c) => !before.has(c.id));
    if (!created) throw new ConflictError('the server accepted the CSR but lists no new CSR on the key', { server, step: 'create-csr' });
    keyId = key.id;
    keyLabel = key.label;
    csrId = created.id;
  } else {
    const label = o.label ?? `${o.usage === 'AUTHENTICATION' ? 'auth' : 'sign'}-${new Date().toISOString().slice(0, 10)}`;
    progress(`generating key '${label}' and CSR on token ${tokenId}`);
    const r = await api.addKeyAndCsr(tokenId, { key_label: label, csr_generate_request: request });
    keyId = r.key.id;
    keyLabel = r.key.label;
    csrId = r.csr_id;
  }
  progress('downloading the CSR');
  const csr = await api.downloadCsr(keyId, csrId, format);
  return { server, keyId, keyLabel, csrId, usage: o.usage === 'AUTHENTICATION' ? 'auth' : 'sign', ca: o.ca, format, memberId: o.member ?? null, subject, csr };
}

function dnSet(dn: string): string {
  return dn
    .split(/\n|,\s*(?=[A-Za-z.0-9]+=)/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      return `${p.slice(0, i).trim().toUpperCase()}=${p.slice(i + 1).trim()}`;
    })
    .sort()
    .join('|');
}

export interface ImportCheck {
  hash: string;
  usage: 'auth' | 'sign';
  keyId: string;
  notAfter: string;
  issuer: string;
}

/**
 * Check a certificate before it is sent: it parses, is within its validity, is issued by a CA the
 * server trusts, matches a key on the server that waits for it (by public key, via the key's CSR),
 * and its key usage fits that key. Each failure names precisely what is wrong; nothing is written.
 */
export async function checkImport(api: SecurityServerApi, bytes: Buffer, source: string, at?: Date): Promise<ImportCheck> {
  const now = at ?? api.http.serverNow();
  const server = api.server;
  const step = 'check-cert';
  // node-forge is heavy: load the PKI code only when a certificate is actually checked
  const [{ parseCertificate, classifyUsage }, { parseCsr }] = await Promise.all([import('../pki/x509.js'), import('../pki/csr.js')]);
  let cert;
  try {
    cert = parseCertificate(bytes);
  } catch (e) {
    throw new UsageError(`${source}: not an X.509 certificate (PEM or DER): ${(e as Error).message}`, { server, step });
  }
  if (cert.notAfter.getTime() <= now.getTime()) {
    throw new UsageError(`${source}: certificate expired on ${cert.notAfter.toISOString()}`, { server, step, hint: 'ask the CA for a new certificate' });
  }
  if (cert.notBefore.getTime() > now.getTime() + 5 * 60_000) {
    throw new UsageError(`${source}: certificate is not valid before ${cert.notBefore.toISOString()}`, {
      server,
      step,
      hint: 'check the clocks of the CA and this host',
    });
  }
  const usage = classifyUsage(cert);
  if (usage !== 'auth' && usage !== 'sign') {
    throw new UsageError(`${source}: certificate key usage is ${usage === 'both' ? 'both auth and sign' : 'neither auth nor sign'}; X-Road needs one of them`, {
      server,
      step,
    });
  }
  const tokens = await api.getTokens();
  if (findCert(tokens, cert.sha256Hex)) throw new CertAlreadyPresentError(source, cert.sha256Hex, server, step);
  const usageT: KeyUsageType = usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING';
  const cas = await api.getApprovedCertificateAuthorities(usageT);
  const issuer = dnSet(cert.issuer);
  if (!cas.some((c) => dnSet(c.subject_distinguished_name) === issuer)) {
    throw new UsageError(`${source}: issuer '${cert.issuer.replace(/\n/g, ', ')}' is not a CA this server trusts for ${usage} certificates`, {
      server,
      step,
      hint: cas.length ? `approved: ${cas.map((c) => c.name).join(', ')}` : 'the central server lists no approved CA',
    });
  }
  // find the key by public key: the CSRs waiting for a certificate carry it
  const candidates = csrRows(server, tokens);
  for (const c of candidates) {
    let csrBytes: Buffer;
    try {
      csrBytes = await api.downloadCsr(c.keyId, c.csrId, 'PEM');
    } catch {
      continue;
    }
    let spki: string;
    try {
      spki = parseCsr(csrBytes).spkiSha256;
    } catch {
      continue;
    }
    if (spki === cert.spkiSha256) {
      const k = findKey(tokens, c.keyId)!;
      const keyUsage = usageOf(k.key);
      if (keyUsage !== 'none' && keyUsage !== usage) {
        throw new UsageError(`${source}: a ${usage} certificate for ${keyUsage} key ${c.keyId} (${c.keyLabel})`, {
          server,
          step,
          hint: 'the CA issued the wrong certificate profile',
        });
      }
      return { hash: cert.sha256Hex, usage, keyId: c.keyId, notAfter: cert.notAfter.toISOString(), issuer: cert.issuer };
    }
  }
  throw new UsageError(`${source}: certificate matches no key on ${server} that waits for a certificate`, {
    server,
    step,
    hint: candidates.length
      ? `keys with CSRs: ${[...new Set(candidates.map((c) => `${c.keyId} (${c.keyLabel})`))].join(', ')}`
      : 'create a key and CSR first (xrdctl csr create)',
  });
}

/** The certificate to import is already on the server (the imperative command reports changed: false). */
export class CertAlreadyPresentError extends ConflictError {
  constructor(
    source: string,
    readonly hash: string,
    server: string,
    step: string,
  ) {
    super(`${source}: certificate ${hash} is already on the server`, { server, step, hint: 'nothing to import' });
  }
}

/** `xrdctl cert import`: idempotent like apply, a certificate already there is changed: false and no write. */
export async function importCertIdempotent(
  api: SecurityServerApi,
  bytes: Buffer,
  source: string,
  progress: Progress = noop,
): Promise<CertRow & { changed: boolean }> {
  try {
    return { ...(await importCert(api, bytes, source, progress)), changed: true };
  } catch (e) {
    if (!(e instanceof CertAlreadyPresentError)) throw e;
    progress(`certificate ${e.hash.slice(0, 16)}… is already on ${api.server}: nothing to import`);
    return { ...(await readCert(api, e.hash)), changed: false };
  }
}

export async function importCert(api: SecurityServerApi, bytes: Buffer, source: string, progress: Progress = noop, now?: Date): Promise<CertRow> {
  progress('checking the certificate');
  const check = await checkImport(api, bytes, source, now);
  progress(`importing ${check.usage} certificate ${check.hash.slice(0, 16)}…`);
  await api.importCertificate(bytes);
  return readCert(api, check.hash, now);
}

export async function readCert(api: SecurityServerApi, hash: string, at?: Date): Promise<CertRow> {
  const tokens = await api.getTokens();
  const now = at ?? api.http.serverNow();
  const full = resolveCertHash(tokens, hash) ?? hash;
  const loc = findCert(tokens, full);
  if (!loc)
    throw new UsageError(`no certificate ${hash} on ${api.server}`, { server: api.server, step: 'find-cert', hint: 'xrdctl cert list shows the hashes' });
  return certRow(api.server, loc.token, loc.key, loc.cert, now);
}

export async function locate(
  api: SecurityServerApi,
  hash: string,
): Promise<{ tokens: Token[]; hash: string; cert: TokenCertificate; keyId: string; usage: string }> {
  const tokens = await api.getTokens();
  const full = resolveCertHash(tokens, hash);
  const loc = full ? findCert(tokens, full) : undefined;
  if (!loc)
    throw new UsageError(`no certificate ${hash} on ${api.server}`, {
      server: api.server,
      step: 'find-cert',
      hint: 'xrdctl cert list shows the hashes (a unique prefix of 8+ digits works)',
    });
  return { tokens, hash: full!, cert: loc.cert, keyId: loc.key.id, usage: usageOf(loc.key) };
}

/** The server's own id, as global configuration knows it; undefined for a server not yet in it (first registration). */
export async function serverId(api: SecurityServerApi): Promise<string | undefined> {
  const list = await api.getCurrentSecurityServer();
  return list[0]?.id;
}

export interface RegisterOptions {
  address?: string;
  /** approve the request at the central server */
  cs?: CentralServerApi;
  /** wait until the certificate is REGISTERED */
  wait?: boolean;
  /** activate once REGISTERED */
  activate?: boolean;
  timeoutMs?: number;
  pollMs?: number;
}

export interface RegisterResult {
  server: string;
  hash: string;
  address: string;
  requestId: number | null;
  approved: boolean;
  status: string;
  active: boolean;
  waitedMs: number;
}

/**
 * Find the auth-cert registration request for this certificate at the CS (bounded polling): a WAITING
 * one, or, when none waits, one already APPROVED (a run that approved it lost the answer, or someone
 * else approved it): then there is nothing to approve.
 */
export async function findAuthCertRequest(
  cs: CentralServerApi,
  ssId: string | undefined,
  hash: string,
  timeoutMs = 15_000,
  /** when the registration was sent (performance.now()): a shared listing that started later holds it */
  since = performance.now(),
): Promise<{ id: number; approved: boolean }> {
  const deadline = Date.now() + timeoutMs;
  const mine = async (id: number) => (await cs.getManagementRequest(id)).certificate_details?.hash?.toUpperCase() === hash.toUpperCase();
  const waiting = (status: string | null | undefined) => status === 'WAITING' || status === 'SUBMITTED FOR APPROVAL';
  for (let attempt = 0; attempt < 100; attempt++) {
    // One listing of the newest auth registrations, shared by every server looking at about the same time (a
    // fleet's rotations or first apply): one request at the central server instead of one per server. A
    // listing that does not reach back far enough (it is full) is followed by this server's own page.
    const shared = ssId ? await listRequestsShared(cs, { types: [AUTH_REQUEST], max: SHARED_AUTH_LISTING }, attempt ? performance.now() : since) : [];
    let rows: { id?: number; status?: string | null }[] = shared.filter((r) => r.serverId === ssId);
    if (!ssId || (shared.length >= SHARED_AUTH_LISTING && !rows.some((r) => waiting(r.status)))) {
      const page = await cs.findManagementRequests({ types: [AUTH_REQUEST], server_id: ssId, limit: 50, sort: 'created_at', desc: true });
      rows = page.items;
    }
    for (const item of rows) {
      if (item.id === undefined || item.id < 0 || !waiting(item.status)) continue;
      if (await mine(item.id)) return { id: item.id, approved: false };
    }
    // the newest approved ones only: an approval this certificate got is recent
    for (const item of rows.filter((x) => x.id !== undefined && x.id >= 0 && x.status === 'APPROVED').slice(0, 3))
      if (await mine(item.id!)) return { id: item.id!, approved: true };
    const wait = nextWait(attempt, deadline);
    if (wait === undefined) break;
    await sleep(wait);
  }
  throw new TimeoutError(`no waiting registration request for certificate ${hash.slice(0, 16)}…${ssId ? ` of ${ssId}` : ''}`, {
    server: cs.server,
    step: 'find-management-request',
    hint: 'xrdctl cs request list shows what the central server has',
  });
}
const AUTH_REQUEST = 'AUTH_CERT_REGISTRATION_REQUEST' as const;
/** the newest auth registrations one shared listing holds (one page) */
const SHARED_AUTH_LISTING = 100;

export async function waitForStatus(
  api: SecurityServerApi,
  hash: string,
  want: string,
  timeoutMs: number,
  pollMs: number,
  progress: Progress,
): Promise<TokenCertificate> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last: TokenCertificate | undefined;
  // bounded in time and in count; polls back off from 250 ms to pollMs apart
  const poll = { ...GLOBALCONF_POLL, firstMs: Math.min(GLOBALCONF_POLL.firstMs, pollMs), maxMs: Math.max(pollMs, 50) };
  const maxPolls = Math.ceil(timeoutMs / poll.firstMs) + 1;
  for (let i = 0; i < maxPolls; i++) {
    last = await api.getCertificate(hash);
    if (last.status === want) return last;
    if (last.status === 'GLOBAL_ERROR')
      throw new ConflictError(`certificate ${hash.slice(0, 16)}… went to GLOBAL_ERROR while waiting for ${want}`, {
        server: api.server,
        step: 'wait-registered',
      });
    progress(`status ${last.status}, waiting for ${want} (${Math.round((Date.now() - started) / 1000)} s; global configuration distributes it)`);
    const wait = nextWait(i, deadline, poll);
    if (wait === undefined) break;
    await sleep(wait);
  }
  throw new TimeoutError(`certificate ${hash.slice(0, 16)}… is ${last?.status ?? 'unknown'}, not ${want}, after ${Math.round(timeoutMs / 1000)} s`, {
    server: api.server,
    step: 'wait-registered',
    hint: 'was the registration request approved at the central server? (xrdctl cs request list); rerun to keep waiting',
  });
}

export async function registerAuthCert(api: SecurityServerApi, hashArg: string, o: RegisterOptions, progress: Progress = noop): Promise<RegisterResult> {
  const started = Date.now();
  const server = api.server;
  const { hash, cert, usage } = await locate(api, hashArg);
  if (usage !== 'auth')
    throw new UsageError(`certificate ${hash.slice(0, 16)}… is a ${usage} certificate; only auth certificates are registered`, {
      server,
      step: 'register-cert',
      hint: 'sign certificates need only import and activate',
    });
  let address = o.address;
  if (!address) address = (await api.getServerAddress()).current_address?.address;
  if (!address) throw new UsageError('the server has no public address to register', { server, step: 'register-cert', hint: 'pass --address HOST' });
  let requestId: number | null = null;
  let approved = false;
  let sent: number | undefined;
  if (cert.status === 'SAVED') {
    progress(`sending the registration request (address ${address})`);
    await api.registerCertificate(hash, address);
    sent = performance.now();
  } else if (cert.status === 'REGISTRATION_IN_PROGRESS' || cert.status === 'REGISTERED') {
    progress(`already ${cert.status}: not sending the request again`);
  } else {
    throw new ConflictError(`certificate ${hash.slice(0, 16)}… is ${cert.status}: it cannot be registered`, {
      server,
      step: 'register-cert',
      hint: cert.status === 'GLOBAL_ERROR' ? 'the central server no longer lists it: import a new certificate' : undefined,
    });
  }
  const current = await api.getCertificate(hash);
  if (o.cs && current.status === 'REGISTRATION_IN_PROGRESS') {
    const ssId = await serverId(api);
    progress(`finding the registration request at the central server${ssId ? ` for ${ssId}` : ''}`);
    const found = await findAuthCertRequest(o.cs, ssId, hash, undefined, sent);
    requestId = found.id;
    if (found.approved) progress(`management request ${requestId} is approved already`);
    else {
      progress(`approving management request ${requestId}`);
      await o.cs.approveManagementRequest(requestId);
    }
    approved = true;
  }
  let final = current;
  if (o.wait || o.activate) {
    final = await waitForStatus(api, hash, 'REGISTERED', o.timeoutMs ?? 300_000, o.pollMs ?? GLOBALCONF_POLL.maxMs, progress);
  }
  if (o.activate && !final.active) {
    progress('activating');
    await api.activateCertificate(hash);
    final = await api.getCertificate(hash);
  }
  return { server, hash, address, requestId, approved, status: final.status, active: final.active, waitedMs: Date.now() - started };
}

export type CertAction = 'activate' | 'disable' | 'unregister' | 'delete' | 'mark-for-deletion';

export interface CertActionResult {
  server: string;
  hash: string;
  action: CertAction;
  changed: boolean;
  status: string | null;
  active: boolean | null;
  forced: boolean;
}

/**
 * The per-certificate state changes, each idempotent (already done → changed: false) and the
 * destructive ones guarded: they refuse (exit 5) when they would leave the server without a
 * working auth cert or a member without a working sign cert, unless forced.
 */
export async function certAction(
  api: SecurityServerApi,
  hashArg: string,
  action: CertAction,
  o: { force?: boolean; confirm?: (problems: string[]) => Promise<void>; confirmWrite?: (what: string) => Promise<void> } = {},
  at?: Date,
): Promise<CertActionResult> {
  const server = api.server;
  if ((action === 'delete' || action === 'unregister') && /^[0-9a-f]{64}$/i.test(hashArg.replace(/:/g, ''))) {
    // a full hash names one certificate for sure: if it is gone, the delete (or unregister) is already done
    if (!findCert(await api.getTokens(), hashArg)) {
      return { server, hash: hashArg.replace(/:/g, '').toUpperCase(), action, changed: false, status: null, active: null, forced: false };
    }
  }
  const { tokens, hash, cert, usage } = await locate(api, hashArg);
  const now = at ?? api.http.serverNow();
  const result = (changed: boolean, c?: TokenCertificate | null, forced = false): CertActionResult => ({
    server,
    hash,
    action,
    changed,
    status: c ? c.status : null,
    active: c ? c.active : null,
    forced,
  });
  if (action === 'activate') {
    if (cert.active) return result(false, cert);
    await api.activateCertificate(hash);
    return result(true, await api.getCertificate(hash));
  }
  if ((action === 'unregister' || action === 'mark-for-deletion') && usage !== 'auth') {
    throw new UsageError(`certificate ${hash.slice(0, 16)}… is a ${usage} certificate; only auth certificates are registered at the central server`, {
      server,
      step: action,
    });
  }
  if (action === 'disable' && !cert.active) return result(false, cert);
  if ((action === 'unregister' || action === 'mark-for-deletion') && cert.status === 'DELETION_IN_PROGRESS') return result(false, cert);
  const problems = assertSafeRemoval(server, action, tokens, { certs: [hash] }, !!o.force, now);
  if (problems.length && o.confirm) await o.confirm(problems);
  else if (o.confirmWrite && (action === 'delete' || action === 'unregister'))
    await o.confirmWrite(`${action} ${usage} certificate ${hash.slice(0, 16)}… (${cert.status}) on ${server}: cannot be undone`);
  if (action === 'disable') await api.disableCertificate(hash);
  else if (action === 'unregister') await api.unregisterAuthCertificate(hash);
  else if (action === 'mark-for-deletion') await api.markAuthCertForDeletion(hash);
  else if (action === 'delete') {
    await api.deleteCertificate(hash);
    return result(true, null, problems.length > 0);
  }
  return result(true, await api.getCertificate(hash), problems.length > 0);
}

export async function deleteKey(
  api: SecurityServerApi,
  keyId: string,
  o: { force?: boolean; confirm?: (problems: string[]) => Promise<void>; confirmWrite?: (what: string) => Promise<void> } = {},
  at?: Date,
): Promise<{ server: string; keyId: string; changed: boolean; forced: boolean; certificates: string[] }> {
  const server = api.server;
  const tokens = await api.getTokens();
  const now = at ?? api.http.serverNow();
  const k = findKey(tokens, keyId);
  if (!k) return { server, keyId, changed: false, forced: false, certificates: [] };
  const problems = assertSafeRemoval(server, 'delete-key', tokens, { keys: [keyId] }, !!o.force, now);
  const n = (k.key.certificates ?? []).length;
  if (problems.length && o.confirm) await o.confirm(problems);
  else if (o.confirmWrite) await o.confirmWrite(`delete key ${keyId}${n ? ` with its ${n} certificate(s)` : ''} on ${server}: cannot be undone`);
  const certs = (k.key.certificates ?? []).map((c) => c.certificate_details.hash.toUpperCase());
  const registered = (k.key.certificates ?? []).some((c) => c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS');
  // ignore_warnings=true would silently unregister a registered auth cert: only when forced
  await api.deleteKey(keyId, registered && !!o.force);
  return { server, keyId, changed: true, forced: problems.length > 0, certificates: certs };
}
