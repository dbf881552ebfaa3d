/**
 * xrdctl sandbox: an embedded, stateful simulator of one X-Road Central Server and N Security Servers,
 * each an HTTPS listener on 127.0.0.1 serving the official admin APIs (see docs/sandbox.md).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTlsCertificate, issueCertificate } from '../pki/ca.js';
import { parseCsr } from '../pki/csr.js';
import { pemToDer, sha256Fingerprint } from '../pki/encoding.js';
import { generateRsaKeyPairAsync, type KeyPairPem } from '../pki/keys.js';
import { apiUsage, certInfo, certInputToDer, pkiUsage, randomToken, sandboxCa } from './certs.js';
import { Engine, pinHash } from './engine.js';
import { JOURNAL_FILE, loadStored, STATE_FILE, type SsPart } from './journal.js';
import {
  compileRoutes,
  makeHandler,
  CORRUPTIONS,
  FaultTable,
  RateLimiter,
  ApiError,
  type FaultSpec,
  type RequestLogEntry,
  type Resp,
  type Route,
} from './http.js';
import type { State, SsState } from './model.js';
import { ssRoutes, SS_ROLES } from './ss-api.js';
import { csRoutes, CS_ROLES, anchorXml } from './cs-api.js';
import { ocspRespond } from './ocsp.js';
import { listOutages, type Outage } from './outages.js';
import { withCommonRoutes } from './common-api.js';
import { realStatus } from './deviations.js';
import { notModelledRoutes } from './not-modelled.js';
import { newSigningKey, recreateAnchor } from './cs-signing.js';

import { csHealthRoutes, setOcspFailing } from './health-states.js';
import { defaultSpareKeys, keepSpareKeys, recycleKeys, spareKeyCount, stopSpareKeys } from './key-pool.js';

/** The last `max` requests, oldest first; entries that fall out are dropped in batches (amortised O(1) per request). */
class RequestLog {
  private a: RequestLogEntry[] = [];
  private head = 0;
  constructor(private readonly max: number) {}
  push(e: RequestLogEntry): void {
    this.a.push(e);
    if (this.a.length - this.head > this.max) this.head++;
    if (this.head >= this.max) {
      this.a.splice(0, this.head);
      this.head = 0;
    }
  }
  /** a copy */
  entries(): RequestLogEntry[] {
    return this.a.slice(this.head);
  }
  clear(): void {
    this.a = [];
    this.head = 0;
  }
}

/**
 * Security Server writes that change only these parts of the server (journal.ts SS_PARTS; its settings are
 * written with them); any other write writes the whole server. What they change at the CS, the engine marks, and
 * so does a reconciliation a write runs (engine.reconcile marks the parts it changes).
 */
const TRACKED_SS_WRITES = new Map<string, readonly SsPart[]>([
  // a service description added is found by itself; one changed, its route marks (engine.touchSd)
  ['addClientServiceDescription', []],
  ['enableServiceDescription', []],
  ['updateService', []],
  ['addServiceClientAccessRights', ['acls']],
  ['addClient', ['clients']],
  ['registerClient', ['clients']],
  ['addKeyAndCsr', ['keys']],
  ['orderAcmeCertificate', ['keys']],
  ['activateCertificate', ['keys']],
  ['registerCertificate', ['keys']],
  ['loginToken', []],
]);
/** CS writes that mark exactly what they change (engine.csAddRequest, engine.approve, the revocation's requests) */
const TRACKED_CS_WRITES = new Set(['addManagementRequest', 'approveManagementRequest', 'revokeManagementRequest']);

export type { Corruption, FaultSpec, RequestLogEntry } from './http.js';
export { CORRUPTIONS } from './http.js';
export type { Outage } from './outages.js';

export interface SandboxOptions {
  dir?: string;
  securityServers?: number;
  instance?: string;
  gcIntervalMs?: number;
  certValidityDays?: number;
  /** blank: CS uninitialised too; empty: CS initialised, SSs not; initialized: SSs have anchor and owner */
  preset?: 'blank' | 'empty' | 'initialized';
  rateLimit?: boolean | { perSecond: number; perMinute: number };
  ports?: { cs?: number; ss?: number[] };
  record?: boolean;
  /** token keys made ahead while the sandbox waits (key-pool.ts; default: one per security server from ten up) */
  spareKeys?: number;
  /** the CS's auto-approve settings (real defaults: all false); applied at start, also to a restored state */
  autoApprove?: { authCertRegistration?: boolean; clientRegistration?: boolean; ownerChange?: boolean };
  /** OCSP answers of external CAs' responders are cached this long (sandbox clock; default 60 s) */
  ocspCacheMs?: number;
  /** timeout of one query to an external OCSP responder (default 3000 ms) */
  ocspTimeoutMs?: number;
  /** answer exactly the OpenAPI spec's statuses instead of the real 7.8 server's (deviations.ts) */
  strictSpec?: boolean;
}

export interface SandboxServerInfo {
  name: string;
  kind: 'central' | 'security';
  url: string;
  fingerprint: string;
  apiKeys: Record<string, string>;
  serverId?: string;
  ownerId?: string;
  tokenPin?: string;
  address?: string;
}

/** A copy of a sandbox's whole model state (SandboxHandle.snapshot), to put back with restore. Opaque. */
export interface SandboxSnapshot {
  readonly sandboxSnapshot: true;
}

export interface SandboxHandle {
  cs: SandboxServerInfo;
  ss: SandboxServerInfo[];
  controlToken: string;
  dir: string;
  clock: { now(): Date; advance(ms: number): void; set(d: Date): void };
  faults: { add(f: FaultSpec): string; list(): FaultSpec[]; clear(server?: string): void };
  requests(): RequestLogEntry[];
  /** requests and writes each server answered since start (or clearRequests): counts, never truncated like the log */
  requestCounts(): Record<string, { requests: number; writes: number }>;
  clearRequests(): void;
  waitForGlobalConf(): Promise<void>;
  /**
   * A copy of the whole model state (servers, keys, certificates, requests, the clock's offset, the outage
   * record): cheap next to a start (no RSA key generation), so a test can start once and restore per case.
   */
  snapshot(): SandboxSnapshot;
  /**
   * Back to a snapshot of this sandbox, in place (same listeners, ports, fingerprints and API keys), persisted.
   * Every fault goes (the fault table, hanging answers, globalconf and OCSP failures) and the request log and
   * counts are cleared.
   */
  restore(snap: SandboxSnapshot): void;
  /**
   * From now on, a snapshot of the state right before the first call of each operation on each server, keyed
   * `server operationId` (the state that call met: a case can start there instead of from the beginning);
   * `stop()` ends recording and returns them.
   */
  snapshotsBefore(): { stop(): Map<string, SandboxSnapshot> };
  stop(): Promise<void>;
  /** extras beyond the agreed API: the sandbox CA (sign a CSR, revoke a cert, its PEM) and the CS's configuration anchor */
  ca: {
    sign(csr: string | Buffer, opts?: { usage?: 'AUTHENTICATION' | 'SIGNING'; validityDays?: number; ca?: string }): string;
    revoke(hashOrSerial: string): boolean;
    names(): string[];
    certPem(name?: string): string;
  };
  anchor(): string;
  /** base URL of the sandbox OCSP responder (plain HTTP on 127.0.0.1; the CA is chosen by the request's issuer key hash) */
  ocspUrl: string;
  /** the rehearsal referee: every interval a server had no working auth cert or a member no working sign cert (outages.ts) */
  outages(): Outage[];
  /** globalconf faults: make one SS's download fail (its copy ages until 409 global_conf_outdated) */
  globalConf: { setDownloadFailing(server: string, failing: boolean): void };
  /** OCSP faults: a sandbox CA's responder fails (SS diagnostics say FAIL; cached certificate statuses stay) */
  ocsp: { setFailing(ca: string, failing: boolean): void };
}

const SS_ROLE_NAMES = Object.values(SS_ROLES);
const CS_ROLE_NAMES = Object.values(CS_ROLES);
const csAllRoutes = (e: Engine) => [...csRoutes(e), ...csHealthRoutes(e, [CS_ROLES.SO, CS_ROLES.SYS])];
export const SANDBOX_CA = 'Sandbox CA';
export const SANDBOX_BASIC_CA = 'Sandbox Basic CA';

async function newState(o: Required<Pick<SandboxOptions, 'instance' | 'gcIntervalMs' | 'certValidityDays' | 'securityServers' | 'preset'>>): Promise<State> {
  const now = new Date();
  // all RSA keys at once, off the main thread
  const keyPairs = await Promise.all(Array.from({ length: 5 + o.securityServers }, () => generateRsaKeyPairAsync()));
  const ca1 = sandboxCa('xrdctl Sandbox CA', now, keyPairs[0]!);
  const ca2 = sandboxCa('xrdctl Sandbox Basic CA', now, keyPairs[1]!);
  const inst = o.instance;
  const st: State = {
    format: 'xrdctl-sandbox/1',
    instance: inst,
    createdAt: now.toISOString(),
    clockOffsetMs: 0,
    seq: 0,
    certValidityDays: o.certValidityDays,
    gcIntervalMs: o.gcIntervalMs,
    controlToken: randomToken(),
    cas: [
      {
        name: SANDBOX_CA,
        profile: 'EJBCA',
        defaultCsrFormat: 'PEM',
        authenticationOnly: false,
        keyPem: ca1.privateKeyPem,
        certPem: ca1.certPem,
        revoked: {},
        issued: [],
        ocspUrl: 'http://127.0.0.1/ocsp/sandbox-ca',
        acme: true,
      },
      {
        name: SANDBOX_BASIC_CA,
        profile: 'BASIC',
        authenticationOnly: false,
        keyPem: ca2.privateKeyPem,
        certPem: ca2.certPem,
        revoked: {},
        issued: [],
        ocspUrl: 'http://127.0.0.1/ocsp/sandbox-basic-ca',
        acme: false,
      },
    ],
    tsa: { name: 'Sandbox TSA', url: 'http://127.0.0.1/tsa', cost_type: 'FREE' },
    cs: {
      memberClasses: [
        { code: 'GOV', description: 'Government' },
        { code: 'COM', description: 'Commercial' },
        { code: 'ORG', description: 'Non-profit' },
      ],
      members: [],
      servers: [],
      requests: [],
      globalGroups: [{ code: 'security-server-owners', description: 'Security server owners', members: [] }],
      tokenLoggedIn: true,
      address: 'cs.sandbox.local',
      version: 1,
    },
    ss: [],
    tls: {},
    apiKeys: {},
    ports: {},
  };
  // API keys are UUIDs, as the real servers' ApiKeyService makes them (UUID.randomUUID())
  const keys = (roles: string[]) => Object.fromEntries([['admin', randomUUID()], ...roles.map((r) => [r, randomUUID()])]);
  st.tls.cs = (({ privateKeyPem, certPem }) => ({ keyPem: privateKeyPem, certPem }))(createTlsCertificate('cs.sandbox.local', { now, key: keyPairs[2] }));
  st.apiKeys.cs = keys(CS_ROLE_NAMES);
  for (let i = 1; i <= o.securityServers; i++) {
    const name = `ss${i}`;
    const code = String(1000 + i);
    if (o.preset !== 'blank')
      st.cs.members.push({ memberClass: 'GOV', memberCode: code, name: `Sandbox Owner ${i}`, createdAt: now.toISOString(), subsystems: [] });
    const pin = `Sandbox-${randomToken(6)}-Pin1`;
    const ss: SsState = {
      name,
      index: i,
      tokenInitialized: false,
      loggedIn: false,
      tokenName: 'softToken-0',
      keys: [],
      clients: [],
      serviceDescriptions: [],
      acls: [],
      localGroups: [],
      tsps: [],
      address: `${name}.sandbox.local`,
      maintenance: false,
      gc: { reconciledVersion: 0 },
    };
    (st as State & { pins?: Record<string, string> }).pins = { ...((st as State & { pins?: Record<string, string> }).pins ?? {}), [name]: pin };
    st.ss.push(ss);
    st.tls[name] = (({ privateKeyPem, certPem }) => ({ keyPem: privateKeyPem, certPem }))(
      createTlsCertificate(`${name}.sandbox.local`, { now, key: keyPairs[2 + i] }),
    );
    st.apiKeys[name] = keys(SS_ROLE_NAMES);
  }
  const csPin = `Sandbox-${randomToken(6)}-Pin0`;
  (st as State & { pins?: Record<string, string> }).pins!.cs = csPin;
  if (o.preset === 'blank') {
    // a CS fresh from installation: no instance configuration, no member classes, the token not initialised
    st.cs.initialized = false;
    st.cs.memberClasses = [];
    st.cs.tokenLoggedIn = false;
  } else {
    st.cs.pinSha256 = pinHash(csPin);
    // an initialised CS signs its global configuration: one active key per source, the anchors made with them
    const [ki, ke] = keyPairs.slice(-2) as [KeyPairPem, KeyPairPem];
    await newSigningKey(st, 'INTERNAL', 'internal signing key', now, ki);
    await newSigningKey(st, 'EXTERNAL', 'external signing key', now, ke);
    recreateAnchor(st, 'INTERNAL', now);
    recreateAnchor(st, 'EXTERNAL', now);
  }
  if (o.preset === 'initialized') {
    for (const ss of st.ss) {
      const xml = Buffer.from(anchorXml({ st } as Engine));
      ss.anchor = { hash: '', createdAt: st.createdAt, xml: xml.toString() };
      ss.anchor.hash = createHashHex224(xml);
      ss.ownerClass = 'GOV';
      ss.ownerCode = String(1000 + ss.index);
      ss.serverCode = `SS${ss.index}`;
      ss.pinSha256 = pinHash(pinsOf(st)[ss.name]!);
      ss.tokenInitialized = true;
      ss.clients.push({ instance: inst, memberClass: 'GOV', memberCode: ss.ownerCode, connectionType: 'HTTPS', status: 'SAVED', tlsCerts: [] });
    }
  }
  return st;
}

function createHashHex224(b: Buffer): string {
  return createHash('sha224').update(b).digest('hex').toUpperCase();
}
function pinsOf(st: State): Record<string, string> {
  return (st as State & { pins?: Record<string, string> }).pins ?? {};
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => {
      server.off('listening', onOk);
      reject(e);
    };
    const onOk = () => {
      server.off('error', onErr);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    };
    server.once('error', onErr);
    server.once('listening', onOk);
    server.listen(port, '127.0.0.1');
  });
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'xrdctl-sandbox-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stored = loadStored(dir);
  let st = stored?.state;
  const fresh = !st;
  if (!st) {
    st = await newState({
      instance: opts.instance ?? 'DEV',
      gcIntervalMs: opts.gcIntervalMs ?? 3000,
      certValidityDays: opts.certValidityDays ?? 365,
      securityServers: Math.max(1, opts.securityServers ?? 1),
      preset: opts.preset ?? 'empty',
    });
  } else {
    // a restart: like a rebooted server, software tokens come back logged out (no autologin)
    for (const ss of st.ss) ss.loggedIn = false;
    if (opts.gcIntervalMs !== undefined) st.gcIntervalMs = opts.gcIntervalMs;
    if (opts.certValidityDays !== undefined) st.certValidityDays = opts.certValidityDays;
  }
  if (opts.autoApprove) st.cs.autoApprove = { ...opts.autoApprove };
  const engine = new Engine(st, dir, { cacheMs: opts.ocspCacheMs, timeoutMs: opts.ocspTimeoutMs }, stored?.seq ?? 0);
  engine.persist();
  const faults = new FaultTable();
  const log = new RequestLog(opts.record ? 5_000 : 20_000); // recorded bodies can be large
  /** requests and writes per server since start (or the last DELETE /requests): counts, not a log, so never truncated */
  const counts = new Map<string, { requests: number; writes: number }>();
  const rl = opts.rateLimit ?? true;
  const hanging = new Set<ServerResponse>();
  let stopping = false;
  const servers: Server[] = [];

  const caApi: SandboxHandle['ca'] = {
    sign(csr, o = {}) {
      const ca = engine.caByName(o.ca ?? SANDBOX_CA);
      if (!ca) throw new Error(`unknown CA ${o.ca}`);
      if (ca.external) throw new Error(`${ca.name} is an external CA: the sandbox holds no key for it`);
      const usage = o.usage ?? guessUsage(csr);
      const signed = issueCertificate(ca, csr, {
        usage: pkiUsage(usage),
        now: engine.clock.now(),
        validityDays: o.validityDays ?? engine.st.certValidityDays,
        ocspUrl: ca.ocspUrl,
        defaultSan: true,
      });
      engine.recordIssued(ca, signed.der, signed.serial);
      engine.commit();
      return signed.certPem;
    },
    revoke(hashOrSerial) {
      return engine.revoke(hashOrSerial);
    },
    names: () => engine.st.cas.map((c) => c.name),
    certPem: (name = SANDBOX_CA) => engine.caByName(name)?.certPem ?? '',
  };
  function guessUsage(csr: string | Buffer): 'AUTHENTICATION' | 'SIGNING' {
    // the sandbox's CSRs carry a keyUsage extension request; default AUTHENTICATION
    try {
      const u = parseCsr(csr).usage;
      return u ? apiUsage(u) : 'AUTHENTICATION';
    } catch {
      return 'AUTHENTICATION';
    }
  }

  // snapshots: deep copies of the model, restored in place (Engine.restore)
  const issued = new WeakMap<SandboxSnapshot, State>();
  const snapshots = new Map<string, SandboxSnapshot>();
  let snapSeq = 0;
  const takeSnapshot = (): SandboxSnapshot => {
    engine.evaluateOutages();
    const snap: SandboxSnapshot = Object.freeze({ sandboxSnapshot: true as const });
    issued.set(snap, structuredClone(engine.st));
    return snap;
  };
  const restoreSnapshot = (snap: SandboxSnapshot): void => {
    const st = issued.get(snap);
    if (!st) throw new Error('not a snapshot of this sandbox');
    faults.clear();
    for (const r of hanging) r.destroy();
    hanging.clear();
    engine.gcDownloadFailing.clear();
    for (const ca of engine.st.cas) if (!ca.external) setOcspFailing(engine, ca.name, false);
    recycleKeys(engine, st);
    engine.restore(st);
    log.clear();
    counts.clear();
  };

  let before: Map<string, SandboxSnapshot> | undefined;

  /**
   * a control action that may change the state is followed by a full snapshot; not faults, the request log, a
   * wait, or snapshots (taking one changes nothing, restoring one persists the state itself)
   */
  const control = async (name: string, method: string, path: string, body: Buffer, query: URLSearchParams): Promise<Resp> => {
    const r = await controlAction(name, method, path, body, query);
    if (method !== 'GET' && r.status < 300 && !/^\/(faults|requests|globalconf\/wait|snapshots)(\/|$)/.test(path)) engine.persist();
    return r;
  };
  const controlAction = async (name: string, method: string, path: string, body: Buffer, query: URLSearchParams): Promise<Resp> => {
    const json = (): Record<string, unknown> => {
      if (!body.length) return {};
      try {
        const v = JSON.parse(body.toString('utf8'));
        if (!v || typeof v !== 'object') throw new Error();
        return v as Record<string, unknown>;
      } catch {
        throw new ApiError(400, 'invalid_json');
      }
    };
    try {
      if (path === '/faults' && method === 'GET') return { status: 200, body: faults.list() };
      if (path === '/faults' && method === 'POST') {
        const f = json() as unknown as FaultSpec;
        if (typeof f.server !== 'string' || typeof f.operation !== 'string')
          throw new ApiError(400, 'validation_failure', ['server and operation are required']);
        if (f.corrupt !== undefined && !CORRUPTIONS.includes(f.corrupt))
          throw new ApiError(400, 'validation_failure', [`corrupt is one of ${CORRUPTIONS.join(', ')}`]);
        return { status: 201, body: { id: faults.add(f) } };
      }
      if (path === '/faults' && method === 'DELETE') {
        faults.clear(query.get('server') ?? undefined);
        return { status: 204 };
      }
      const fm = /^\/faults\/([^/]+)$/.exec(path);
      if (fm && method === 'DELETE')
        return faults.remove(decodeURIComponent(fm[1]!)) ? { status: 204 } : { status: 404, body: { status: 404, error: { code: 'fault_not_found' } } };
      if (path === '/clock' && method === 'GET') return { status: 200, body: { now: engine.clock.now().toISOString(), offset_ms: engine.st.clockOffsetMs } };
      if (path === '/clock' && method === 'POST') {
        const b = json();
        if (typeof b.advance_ms === 'number') engine.clock.advance(b.advance_ms);
        else if (typeof b.set === 'string' && !Number.isNaN(Date.parse(b.set))) engine.clock.set(new Date(b.set));
        else throw new ApiError(400, 'validation_failure', ['advance_ms (number) or set (ISO date) required']);
        return { status: 200, body: { now: engine.clock.now().toISOString() } };
      }
      if (path === '/requests/counts' && method === 'GET') return { status: 200, body: Object.fromEntries(counts) };
      if (path === '/stats' && method === 'GET')
        return { status: 200, body: { keygen: { ...engine.keygen, ...spareKeyCount(engine) }, journal: engine.journalStats() } };
      if (path === '/requests' && method === 'GET')
        return { status: 200, body: log.entries().filter((e) => !query.get('server') || e.server === query.get('server')) };
      if (path === '/requests' && method === 'DELETE') {
        log.clear();
        counts.clear();
        return { status: 204 };
      }
      if (path === '/ca/sign' && method === 'POST') {
        const b = json();
        if (typeof b.csr !== 'string') throw new ApiError(400, 'validation_failure', ['csr (PEM or base64 DER) required']);
        const csr = b.csr.includes('-----BEGIN') ? b.csr : Buffer.from(b.csr, 'base64');
        const usage = b.usage === 'SIGNING' || b.usage === 'AUTHENTICATION' ? b.usage : undefined;
        try {
          return {
            status: 200,
            body: {
              certificate: caApi.sign(csr, {
                usage,
                validityDays: typeof b.validity_days === 'number' ? b.validity_days : undefined,
                ca: typeof b.ca === 'string' ? b.ca : undefined,
              }),
            },
          };
        } catch (e) {
          throw new ApiError(400, 'invalid_csr', [e instanceof Error ? e.message : 'invalid']);
        }
      }
      if (path === '/ca/revoke' && method === 'POST') {
        const b = json();
        const id = typeof b.hash === 'string' ? b.hash : typeof b.serial === 'string' ? b.serial : '';
        return caApi.revoke(id) ? { status: 204 } : { status: 404, body: { status: 404, error: { code: 'certificate_not_found' } } };
      }
      if (path === '/ca/certificate' && method === 'GET')
        return { status: 200, raw: Buffer.from(caApi.certPem(query.get('ca') ?? undefined)), headers: { 'content-type': 'application/x-pem-file' } };
      if (path === '/anchor' && method === 'GET') return { status: 200, raw: Buffer.from(anchorXml(engine)), headers: { 'content-type': 'application/xml' } };
      if (path === '/globalconf/wait' && method === 'POST') {
        await engine.waitForGlobalConf();
        return { status: 204 };
      }
      if (path === '/globalconf' && method === 'POST') {
        const b = json();
        if (typeof b.server !== 'string' || typeof b.download_failing !== 'boolean' || !engine.st.ss.some((x) => x.name === b.server))
          throw new ApiError(400, 'validation_failure', ['server (ss name) and download_failing (boolean) required']);
        if (b.download_failing) engine.gcDownloadFailing.add(b.server);
        else engine.gcDownloadFailing.delete(b.server);
        return { status: 204 };
      }
      if (path === '/outages' && method === 'GET') {
        engine.evaluateOutages();
        return { status: 200, body: listOutages(engine.st) };
      }
      if (path === '/ocsp' && method === 'POST') {
        const b = json();
        if (typeof b.ca !== 'string' || typeof b.failing !== 'boolean' || !engine.caByName(b.ca))
          throw new ApiError(400, 'validation_failure', ['ca (a CA name) and failing (boolean) required']);
        setOcspFailing(engine, b.ca, b.failing);
        return { status: 204 };
      }
      if (path === '/snapshots' && method === 'POST') {
        const id = `s${++snapSeq}`;
        snapshots.set(id, takeSnapshot());
        // bounded: the oldest goes
        if (snapshots.size > 16) snapshots.delete(snapshots.keys().next().value!);
        return { status: 201, body: { id } };
      }
      const sm = /^\/snapshots\/([^/]+)\/restore$/.exec(path);
      if (sm && method === 'POST') {
        const snap = snapshots.get(decodeURIComponent(sm[1]!));
        if (!snap) return { status: 404, body: { status: 404, error: { code: 'snapshot_not_found' } } };
        restoreSnapshot(snap);
        return { status: 204 };
      }
      if (path === '/info' && method === 'GET')
        return {
          status: 200,
          body: { server: name, instance: engine.st.instance, gc_interval_ms: engine.st.gcIntervalMs, now: engine.clock.now().toISOString() },
        };
      return { status: 404, body: { status: 404, error: { code: 'not_found' } } };
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: e.toBody() };
      throw e;
    }
  };

  const mkListener = async (name: string, routes: Route[], preferredPort: number) => {
    const tls = engine.st.tls[name]!;
    const limiter = rl === false ? undefined : new RateLimiter(rl === true ? 20 : rl.perSecond, rl === true ? 600 : rl.perMinute);
    // the keys of a server are set when it is created and replaced as a whole by a restore: the maps are built once per keys object
    const byKeys = <T>(build: (keys: Record<string, string>) => T) => {
      let memo: { of: Record<string, string> | undefined; n: number; v: T } | undefined;
      return (): T => {
        const keys = engine.st.apiKeys[name];
        const n = keys ? Object.keys(keys).length : 0;
        if (!memo || memo.of !== keys || memo.n !== n) memo = { of: keys, n, v: build(keys ?? {}) };
        return memo.v;
      };
    };
    const keyRoles = byKeys((keys): Record<string, string[]> => {
      const all = name === 'cs' ? CS_ROLE_NAMES : SS_ROLE_NAMES;
      const out: Record<string, string[]> = {};
      for (const [label, key] of Object.entries(keys)) out[key] = label === 'admin' ? [...all] : [label];
      return out;
    });
    const compiled = compileRoutes([...withCommonRoutes(routes), ...notModelledRoutes(name === 'cs' ? 'cs' : 'ss')]);
    const api = name === 'cs' ? 'cs' : 'ss';
    const principals = byKeys((keys): Record<string, string> => Object.fromEntries(Object.values(keys).map((key, i) => [key, `api-key-${i + 1}`])));
    const handler = makeHandler({
      server: name,
      routes: compiled,
      apiKeys: keyRoles,
      principals,
      deviate: opts.strictSpec ? undefined : (op, status) => realStatus(api, op, status),
      controlToken: engine.st.controlToken,
      faults,
      beforeOperation: (op) => {
        const key = `${name} ${op}`;
        if (before && !before.has(key)) before.set(key, takeSnapshot());
      },
      limiter: () => limiter,
      log: (e) => {
        const c = counts.get(e.server) ?? { requests: 0, writes: 0 };
        c.requests++;
        if (e.write) c.writes++;
        counts.set(e.server, c);
        log.push(e);
      },
      record: !!opts.record,
      control: (m, p, b, q) => control(name, m, p, b, q),
      writing: (op) => {
        engine.touchApiKeys(name);
        // the management requests' own operations mark the CS entries and requests they change (engine.csAddRequest, approve)
        if (name !== 'cs') {
          const parts = TRACKED_SS_WRITES.get(op);
          if (parts) engine.touchSsParts(name, parts);
          else engine.touchSs(name);
        } else if (!TRACKED_CS_WRITES.has(op)) engine.touchCs();
      },
      afterWrite: () => {
        // a central server's write reaches the security servers through the global configuration (the scheduler's evaluations)
        engine.evaluateOutages(name === 'cs' ? [] : [name]);
        return engine.persistSoon();
      },
      isStopping: () => stopping,
      hanging,
      now: () => engine.clock.now(),
    });
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      void handler(req, res);
    });
    server.keepAliveTimeout = 5000;
    let port: number;
    try {
      port = await listen(server, preferredPort);
    } catch (e) {
      if (preferredPort !== 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && !explicitPort(name)) port = await listen(server, 0);
      else throw e;
    }
    servers.push(server);
    engine.st.ports[name] = port;
    return port;
  };
  const explicitPort = (name: string) => (name === 'cs' ? !!opts.ports?.cs : !!opts.ports?.ss?.[Number(name.slice(2)) - 1]);
  const portFor = (name: string) => {
    const explicit = name === 'cs' ? opts.ports?.cs : opts.ports?.ss?.[Number(name.slice(2)) - 1];
    if (explicit) return explicit;
    return fresh ? 0 : (engine.st.ports[name] ?? 0);
  };

  const startOcsp = async (): Promise<number> => {
    const srv: HttpServer = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 64 * 1024) chunks.push(c);
      });
      req.on('end', () => {
        void (async () => {
          let der: Buffer | undefined;
          if (req.method === 'POST') der = Buffer.concat(chunks);
          else if (req.method === 'GET') {
            const last = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
            if (last) der = Buffer.from(last, 'base64');
          }
          if (!der || !der.length || size > 64 * 1024) {
            res.writeHead(400).end();
            return;
          }
          try {
            const out = await ocspRespond(
              engine.st.cas.filter((c) => !c.external),
              der,
              engine.clock.now(),
            );
            res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': String(out.length) }).end(out);
          } catch {
            res.writeHead(500).end();
          }
        })();
      });
    });
    let port: number;
    const pref = fresh ? 0 : (engine.st.ports.ocsp ?? 0);
    try {
      port = await listen(srv as unknown as Server, pref);
    } catch {
      port = await listen(srv as unknown as Server, 0);
    }
    servers.push(srv as unknown as Server);
    engine.st.ports.ocsp = port;
    for (const ca of engine.st.cas) if (!ca.external) ca.ocspUrl = `http://127.0.0.1:${port}/${ca.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    return port;
  };

  let handle: SandboxHandle;
  try {
    const ocspPort = await startOcsp();
    const csPort = await mkListener('cs', csAllRoutes(engine), portFor('cs'));
    const ssInfos: SandboxServerInfo[] = [];
    for (const ss of engine.st.ss) {
      const port = await mkListener(ss.name, ssRoutes(engine, ss), portFor(ss.name));
      const ownerId = `${engine.st.instance}:${ss.ownerClass ?? 'GOV'}:${ss.ownerCode ?? String(1000 + ss.index)}`;
      ssInfos.push({
        name: ss.name,
        kind: 'security',
        url: `https://127.0.0.1:${port}/api/v1`,
        fingerprint: sha256Fingerprint(pemToDer(engine.st.tls[ss.name]!.certPem)),
        apiKeys: { ...engine.st.apiKeys[ss.name]! },
        serverId: `${ownerId}:${ss.serverCode ?? `SS${ss.index}`}`,
        ownerId,
        tokenPin: pinsOf(engine.st)[ss.name],
        address: ss.address,
      });
    }
    engine.persist();
    engine.start();
    keepSpareKeys(engine, opts.spareKeys ?? defaultSpareKeys(engine.st.ss.length));
    handle = {
      cs: {
        name: 'cs',
        kind: 'central',
        url: `https://127.0.0.1:${csPort}/api/v1`,
        fingerprint: sha256Fingerprint(pemToDer(engine.st.tls.cs!.certPem)),
        apiKeys: { ...engine.st.apiKeys.cs! },
        address: engine.st.cs.address,
        // the CS token's PIN (a blank CS gets the one POST /initialization sets: this is a suggestion)
        ...(pinsOf(engine.st).cs ? { tokenPin: pinsOf(engine.st).cs } : {}),
      },
      ss: ssInfos,
      controlToken: engine.st.controlToken,
      dir,
      clock: { now: () => engine.clock.now(), advance: (ms) => engine.clock.advance(ms), set: (d) => engine.clock.set(d) },
      faults: { add: (f) => faults.add(f), list: () => faults.list(), clear: (s) => faults.clear(s) },
      requests: () => log.entries(),
      requestCounts: () => Object.fromEntries(counts),
      clearRequests: () => {
        log.clear();
        counts.clear();
      },
      waitForGlobalConf: () => engine.waitForGlobalConf(),
      snapshot: takeSnapshot,
      restore: restoreSnapshot,
      snapshotsBefore: () => {
        const m = (before = new Map());
        return {
          stop: () => {
            if (before === m) before = undefined;
            return m;
          },
        };
      },
      stop: async () => {
        if (stopping) return;
        stopping = true;
        engine.stop();
        stopSpareKeys(engine);
        for (const r of hanging) r.destroy();
        hanging.clear();
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                s.close(() => resolve());
                s.closeAllConnections();
              }),
          ),
        );
        engine.persist();
        engine.stopPersisting();
      },
      ca: caApi,
      anchor: () => anchorXml(engine),
      outages: () => {
        engine.evaluateOutages();
        return listOutages(engine.st);
      },
      ocspUrl: `http://127.0.0.1:${ocspPort}`,
      globalConf: {
        setDownloadFailing(server, failing) {
          if (failing) engine.gcDownloadFailing.add(server);
          else engine.gcDownloadFailing.delete(server);
        },
      },
      ocsp: { setFailing: (ca, failing) => setOcspFailing(engine, ca, failing) },
    };
  } catch (e) {
    engine.stop();
    stopSpareKeys(engine);
    for (const s of servers) {
      s.close();
      s.closeAllConnections();
    }
    throw e;
  }
  return handle;
}

/** Wipe a sandbox state directory (the sandbox must be stopped). */
export function resetSandbox(dir: string): void {
  for (const f of [STATE_FILE, JOURNAL_FILE, 'sandbox.json', 'secrets.json', 'anchor.xml']) {
    const p = join(dir, f);
    if (existsSync(p)) rmSync(p, { force: true });
  }
}

/** Sign a certificate (PEM/DER) check helper for tests: the SHA-256 hash the API uses. */
export function certHash(input: Buffer | string): string {
  return certInfo(certInputToDer(Buffer.isBuffer(input) ? input : Buffer.from(input))).hash;
}

/**
 * The operations the sandbox serves (for docs and table-driven tests): server kind, method, path template, operationId,
 * write; `modelled: false` for the spec operations it answers 501 (not-modelled.ts).
 */
export function routeTable(): Array<{
  server: 'cs' | 'ss';
  method: string;
  path: string;
  operationId: string;
  write: boolean;
  upload: boolean;
  modelled: boolean;
}> {
  const fake = { st: { instance: 'DEV' } } as unknown as Engine;
  const ss = [...withCommonRoutes(ssRoutes(fake, {} as SsState)), ...notModelledRoutes('ss')].map((r) => ({ server: 'ss' as const, r }));
  const cs = [...withCommonRoutes(csAllRoutes(fake)), ...notModelledRoutes('cs')].map((r) => ({ server: 'cs' as const, r }));
  return [...ss, ...cs].map(({ server, r }) => ({
    server,
    method: r.method,
    path: r.path,
    operationId: r.op,
    write: !!r.write,
    upload: !!r.upload,
    modelled: !r.notModelled,
  }));
}
