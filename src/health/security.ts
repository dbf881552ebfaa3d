/**
 * The checks of one security server: reads only (an observer-only API key is enough), each check
 * isolated so one failing read becomes one UNKNOWN check, not a lost server.
 */
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { Client, Token } from '../api/types/ss.js';
import { AuthError, XrdError } from '../errors/index.js';
import type { HttpClient } from '../http/index.js';
import type { DesiredCentral, DesiredServer } from '../model/desired.js';
import { encodedClientId } from '../model/ids.js';
import { certInputs, classifyCertificates, type RegistrationInfo } from './certificates.js';
import * as C from './classify.js';
import { check, type CertHealth, type CheckGroup, type CheckResult } from './model.js';
import type { Thresholds } from './thresholds.js';

export interface ServerCheckOptions {
  t: Thresholds;
  /** how remedies name the server, e.g. '-c ss1' */
  at: string;
  /** only these groups (the connection checks always run) */
  groups?: ReadonlySet<CheckGroup>;
  /** the central server, to tell how long a registration waits or whether it was declined */
  central?: () => Promise<CentralServerApi | undefined>;
  /** with -f: what the manifest declares for this server */
  desired?: DesiredServer;
  /** with -f: the central server's configuration signing keys the manifest declares (key ages, stale anchors) */
  signing?: DesiredCentral['configurationSigning'];
}

export interface ServerChecks {
  checks: CheckResult[];
  certificates: CertHealth[];
}

/**
 * The first read (the version, which every role may read): it proves reachability, TLS and the API key.
 * Any failure is thrown to the runner, which makes it the server's one row.
 */
export async function firstContact<V>(api: { http: HttpClient; getVersion(): Promise<V> }, checks: CheckResult[]): Promise<V> {
  const t0 = Date.now();
  const version = await api.getVersion();
  const ms = Date.now() - t0;
  checks.push(check('reachability', 'connection', 'OK', `answered in ${ms} ms`, '', [{ label: 'response time', value: ms / 1000, uom: 's', min: 0 }]));
  checks.push(check('tls', 'connection', 'OK', api.http.pinned ? 'admin certificate matches the pinned fingerprint' : 'admin certificate verified by its CA'));
  return version;
}

/** what failed, with the server and the step that failed ("ss1 step list-tokens: 500 …"), as the CLI's error lines say it */
const errMsg = (e: unknown) => (e instanceof XrdError ? e.oneLine() : String((e as Error)?.message ?? e));

/** Runs fn; an error becomes an UNKNOWN check naming the read that failed (403s are collected). */
export class Reads {
  forbidden = new Set<string>();
  failed: CheckResult[] = [];
  /** @param roleHint the roles that may read everything health needs on this kind of server */
  constructor(private readonly roleHint = 'the XROAD_SECURITYSERVER_OBSERVER role') {}
  async try<T>(name: string, group: CheckGroup, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      const denied = e instanceof AuthError && e.status === 403;
      if (denied) this.forbidden.add(name);
      this.failed.push(
        check(
          name,
          group,
          'UNKNOWN',
          `cannot read: ${errMsg(e)}`,
          denied ? `use an API key with ${this.roleHint}` : (e instanceof XrdError && e.hint) || 'check the server log',
        ),
      );
      return undefined;
    }
  }
  /** the failed reads, and whether the API key may read everything */
  results(okMessage: string): CheckResult[] {
    return [
      ...this.failed,
      this.forbidden.size
        ? check(
            'api-key',
            'connection',
            'WARNING',
            `API key accepted, but it may not read: ${[...this.forbidden].join(', ')}`,
            `use an API key with ${this.roleHint}: it can read everything health needs`,
          )
        : check('api-key', 'connection', 'OK', okMessage),
    ];
  }
}

function memberIdOf(c: Client): string {
  return `${c.instance_id}:${c.member_class}:${c.member_code}`;
}
export function clientIdOf(c: Client): string {
  return c.id ?? [memberIdOf(c), c.subsystem_code].filter(Boolean).join(':');
}

/** What the CS says about this server's pending registrations (auth certificates by hash, clients by id). */
async function registrations(cs: CentralServerApi, owner: string | undefined, serverId: string | undefined, authHashes: string[], clientIds: string[]) {
  const auth = new Map<string, RegistrationInfo>();
  const clients = new Map<string, C.ClientRegistration>();
  const types = [
    ...(authHashes.length ? ['AUTH_CERT_REGISTRATION_REQUEST' as const] : []),
    ...(clientIds.length ? ['CLIENT_REGISTRATION_REQUEST' as const] : []),
  ];
  const page = await cs.findManagementRequests({ types, server_id: serverId, sort: 'created_at', desc: true, limit: 100 });
  const mine = page.items.filter((r) => {
    const s = r.security_server_id;
    const enc = s?.encoded_id ?? [s?.instance_id, s?.member_class, s?.member_code, s?.server_code].join(':');
    return serverId ? enc === serverId : !!owner && enc.startsWith(owner + ':');
  });
  for (const r of mine) {
    const info = { id: r.id, status: r.status ?? 'WAITING', createdAt: r.created_at };
    if (r.type === 'CLIENT_REGISTRATION_REQUEST') {
      const c = r.client_id;
      const id = c ? encodedClientId(c) : '';
      if (id && !clients.has(id)) clients.set(id, info);
    }
  }
  // the list view has no certificate: read the newest few auth requests' details (bounded)
  const authReqs = mine.filter((r) => r.type === 'AUTH_CERT_REGISTRATION_REQUEST' && r.id !== undefined).slice(0, 10);
  const details = await Promise.all(authReqs.map((r) => cs.getManagementRequest(r.id!)));
  for (const d of details) {
    const h = d.certificate_details?.hash?.toUpperCase();
    if (h && !auth.has(h)) auth.set(h, { id: d.id, status: d.status ?? 'WAITING', createdAt: d.created_at });
  }
  return { auth, clients };
}

export async function checkSecurityServer(api: SecurityServerApi, o: ServerCheckOptions): Promise<ServerChecks> {
  const on = (g: CheckGroup) => !o.groups || o.groups.has(g);
  const reads = new Reads();
  const checks: CheckResult[] = [];
  let certificates: CertHealth[] = [];
  const version = await firstContact(api, checks);
  const now = () => api.http.serverNow();

  let tokensP: Promise<Token[] | undefined> | undefined;
  let clientsP: Promise<Client[] | undefined> | undefined;
  const tokens = () => (tokensP ??= reads.try('tokens', 'token', () => api.getTokens()));
  const clients = () => (clientsP ??= reads.try('clients', 'clients', () => api.getClients()));

  const tasks: Promise<void>[] = [];
  const add = (g: CheckGroup, fn: () => Promise<CheckResult | CheckResult[] | undefined>) => {
    if (!on(g)) return;
    tasks.push(
      fn().then((r) => {
        if (r) checks.push(...(Array.isArray(r) ? r : [r]));
      }),
    );
  };

  add('system', async () => {
    const [init, mm] = await Promise.all([
      reads.try('initialization', 'system', () => api.getInitializationStatus()),
      reads.try('maintenance-mode', 'system', () => api.getMaintenanceMode()),
    ]);
    return [C.classifyVersion(version, o.t), ...(init ? [C.classifyInitialization(init)] : []), ...(mm ? [C.classifyMaintenance(mm)] : [])];
  });
  add('token', async () => {
    const tk = await tokens();
    return tk && C.classifyTokens(tk, o.at);
  });
  add('globalconf', async () => {
    const [g, urls] = await Promise.all([
      reads.try('globalconf', 'globalconf', () => api.getGlobalConfDiagnostics()),
      reads.try('globalconf-urls', 'globalconf', () => api.getGlobalConfStatus()),
    ]);
    return [...(g ? [C.classifyGlobalConf(g, now(), o.t)] : []), ...(urls ? [C.classifyDownloadUrls(urls)] : [])];
  });
  if (o.signing?.INTERNAL && o.central) {
    add('globalconf', async () => {
      const cs = await o.central!();
      if (!cs) return undefined;
      const [mine, current] = await Promise.all([
        reads.try('anchor', 'globalconf', () => api.getAnchor()),
        reads.try('anchor', 'globalconf', () => cs.getAnchor('INTERNAL')),
      ]);
      return mine && current?.anchor ? C.classifyAnchor(mine, current.anchor, o.at) : undefined;
    });
  }
  add('ocsp', async () => {
    const r = await reads.try('ocsp', 'ocsp', () => api.getOcspRespondersDiagnostics());
    return r && C.classifyOcsp(r, now(), o.t);
  });
  add('timestamping', async () => {
    const addon = await reads.try('timestamping', 'timestamping', () => api.getAddOnDiagnostics());
    if (!addon) return undefined;
    if (!addon.messagelog_enabled) return C.classifyTimestamping(addon, [], now(), o.t);
    const tsas = await reads.try('timestamping', 'timestamping', () => api.getTimestampingServicesDiagnostics());
    return tsas && C.classifyTimestamping(addon, tsas, now(), o.t);
  });
  add('registration', async () => {
    const r = await reads.try('auth-cert-req-status', 'registration', () => api.getAuthCertReqStatus());
    return r && C.classifyAuthCertReq(r);
  });
  add('memory', async () => {
    const r = await reads.try('proxy-memory', 'memory', () => api.getProxyMemoryUsage());
    return r && C.classifyMemory(r);
  });

  const needCertsOrClients = on('certificates') || on('clients');
  if (needCertsOrClients) {
    tasks.push(
      (async () => {
        const [tk, cl] = await Promise.all([on('certificates') ? tokens() : Promise.resolve(undefined), clients()]);
        const n = now();
        const inputs = tk ? certInputs(tk, n) : [];
        const pendingAuth = inputs.filter((c) => c.usage === 'auth' && c.status === 'REGISTRATION_IN_PROGRESS').map((c) => c.hash);
        const pendingClients = (cl ?? []).filter((c) => c.status === 'REGISTRATION_IN_PROGRESS').map(clientIdOf);
        let regs: Awaited<ReturnType<typeof registrations>> | undefined;
        let csAsked = false;
        if ((pendingAuth.length || pendingClients.length) && o.central) {
          const cs = await o.central().catch(() => undefined);
          if (cs) {
            const owner = cl?.find((c) => c.owner);
            regs = await reads.try('central-server', 'connection', () =>
              registrations(cs, owner && memberIdOf(owner), o.desired?.id, pendingAuth, pendingClients),
            );
            csAsked = !!regs;
          }
        }
        if (tk && on('certificates')) {
          const members = [...new Set((cl ?? []).map(memberIdOf))];
          const r = classifyCertificates(inputs, { now: n, t: o.t, at: o.at, members, registrations: regs?.auth, csAsked });
          checks.push(...r.checks);
          certificates = r.certs;
        }
        if (cl && on('clients')) {
          checks.push(...C.classifyClients(cl, { now: n, t: o.t, at: o.at, csAsked, registrations: regs?.clients }));
          if (o.desired) checks.push(...(await declared(api, o.desired, cl, reads)));
        }
      })(),
    );
  }
  await Promise.all(tasks);
  checks.push(...reads.results('API key accepted; every read health needs is allowed (an observer-only key is enough and recommended)'));
  return { checks, certificates };
}

/** With -f: every client and service description the manifest declares exists, is registered and enabled. */
async function declared(api: SecurityServerApi, d: DesiredServer, actual: Client[], reads: Reads): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const byId = new Map(actual.map((c) => [clientIdOf(c), c]));
  await Promise.all(
    d.clients.map(async (dc) => {
      const name = `declared ${dc.id}`;
      const c = byId.get(dc.id);
      if (!c) {
        out.push(check(name, 'clients', 'WARNING', 'declared in the manifest but missing on the server', 'xrdctl apply MANIFEST'));
        return;
      }
      const problems: string[] = [];
      if (dc.register && c.status !== 'REGISTERED') problems.push(`status ${c.status}, not REGISTERED`);
      if (dc.serviceDescriptions.length) {
        const sds = await reads.try(`${name} service descriptions`, 'clients', () => api.getClientServiceDescriptions(dc.id));
        for (const ds of dc.serviceDescriptions) {
          const sd = sds?.find((x) => x.url === ds.url);
          if (sds && !sd) problems.push(`service description ${ds.url} missing`);
          else if (sd && sd.disabled && !ds.disabled) problems.push(`service description ${ds.url} disabled`);
        }
      }
      out.push(
        problems.length
          ? check(name, 'clients', 'WARNING', problems.join('; '), 'xrdctl apply MANIFEST (or xrdctl client register / xrdctl service enable)')
          : check(name, 'clients', 'OK', `registered, ${dc.serviceDescriptions.length} service description(s) enabled`),
      );
    }),
  );
  return out;
}
