/**
 * The health service: resolve the servers to check (contexts, every context, or a manifest), check
 * them all in parallel, each within the per-server timeout, and return one report. A server that
 * cannot be asked (unreachable, hanging, its secret unresolvable, TLS refused) is a row of its own;
 * it never hides the others. Never writes to a server, never prints.
 */
import { CentralServerApi } from '../api/central-server.js';
import { httpForContext } from '../api/connect.js';
import { SecurityServerApi } from '../api/security-server.js';
import { getContext, readContexts, type Context } from '../config/contexts.js';
import { AuthError, ConfigError, SecretError, TimeoutError, TlsError, UsageError, XrdError, toXrdError } from '../errors/index.js';
import type { HttpClient } from '../http/index.js';
import type { Connection, DesiredCentral, DesiredInstance, DesiredServer } from '../model/desired.js';
import { checkCentralServer } from './central.js';
import { check, worst, type CheckGroup, type CheckResult, type HealthReport, type ServerHealth } from './model.js';
import { checkSecurityServer, type ServerChecks } from './security.js';
import type { Thresholds } from './thresholds.js';

export interface Target {
  name: string;
  kind: 'security' | 'central';
  /** how remedies name the server */
  at: string;
  open: () => Promise<HttpClient>;
  /** name of the central server target used for registration lookups */
  central?: string;
  desired?: DesiredServer;
  /** with -f: the configuration signing keys the manifest declares */
  signing?: DesiredCentral['configurationSigning'];
}

export interface HealthOptions {
  t: Thresholds;
  groups?: CheckGroup[];
  env?: NodeJS.ProcessEnv;
}

export type Selection = { contexts: string[] } | { allContexts: true } | { manifest: DesiredInstance; servers?: string[] };

function httpOpts(t: Thresholds, env?: NodeJS.ProcessEnv) {
  const ms = Math.max(100, t.timeout * 1000);
  // the real admin API answers 429 over 20 requests/s or 600/min per client: stay under it.
  // Two connections per server: one queued a single server's 14 reads, what a monitoring system runs per
  // host (639 against 532 ms, bench/health.ts); more let a fleet checked at once, whose answers all come
  // late on a busy machine, open up to four each (2.1 s against 1.8 s for 100 servers).
  return { env, timeoutMs: ms, totalTimeoutMs: ms, retries: 1, rateLimit: { perSecond: 20, perMinute: 600 }, maxSockets: 2 };
}

/** Contexts or a manifest → targets (secrets are resolved only when a target is opened). */
export function targetsFor(sel: Selection, o: HealthOptions): { targets: Target[]; helpers: Target[] } {
  const t = o.t;
  const env = o.env ?? process.env;
  if ('manifest' in sel) {
    const d = sel.manifest;
    const conn = (name: string, c: Connection) => async () => {
      const { connectHttp } = await import('../api/connect.js');
      return connectHttp(name, c, `${name} apiKey`, httpOpts(t, env));
    };
    const all: Target[] = [
      ...(d.central
        ? [
            {
              name: d.central.name,
              kind: 'central' as const,
              at: `-c ${d.central.name}`,
              open: conn(d.central.name, d.central.conn),
              signing: d.central.configurationSigning,
            },
          ]
        : []),
      ...d.servers.map((s) => ({
        name: s.name,
        kind: 'security' as const,
        at: `-c ${s.name}`,
        open: conn(s.name, s.conn),
        central: d.central?.name,
        desired: s,
        signing: d.central?.configurationSigning,
      })),
    ];
    const want = sel.servers?.length ? new Set(sel.servers) : undefined;
    for (const n of want ?? [])
      if (!all.some((x) => x.name === n)) throw new UsageError(`--server ${n}: not in the manifest`, { hint: `servers: ${all.map((x) => x.name).join(', ')}` });
    return { targets: want ? all.filter((x) => want.has(x.name)) : all, helpers: all };
  }
  const file = readContexts(env);
  const ctxTarget = (c: Context): Target => ({
    name: c.name,
    kind: c.kind,
    at: `-c ${c.name}`,
    open: () => httpForContext(c, httpOpts(t, env)),
    central: c.centralContext,
  });
  const all = Object.entries(file.contexts).map(([name, c]) => ctxTarget({ name, ...c }));
  if ('allContexts' in sel) {
    if (!all.length) throw new ConfigError('no contexts', { hint: 'add one: xrdctl context add NAME --kind security --url … --api-key env:NAME' });
    return { targets: all, helpers: all };
  }
  const names = sel.contexts.length ? sel.contexts : [undefined];
  return { targets: names.map((n) => ctxTarget(getContext(file, n))), helpers: all };
}

/** An error that stopped a server's checks → the one check that says so. */
export function connectionFailure(e: unknown, at: string, timeoutS: number, waitingOn: string[] = []): CheckResult {
  const err = toXrdError(e);
  // with the server and the step that failed, as the CLI's error lines say it
  const msg = err.oneLine();
  if (err instanceof SecretError)
    return check(
      'api-key',
      'connection',
      'UNKNOWN',
      `the API key cannot be read: ${msg}`,
      `${err.hint ? `${err.hint}; ` : ''}or point the context at another reference: xrdctl context add ${at.replace('-c ', '')} … --api-key env:NAME --overwrite`,
    );
  if (err instanceof TlsError)
    return check(
      'tls',
      'connection',
      'CRITICAL',
      msg,
      `if the admin certificate was replaced on purpose, verify the new fingerprint out of band (openssl s_client -connect HOST:4000 | openssl x509 -noout -fingerprint -sha256) and re-pin: xrdctl context add ${at.replace('-c ', '')} … --tls-fingerprint NEW --overwrite; otherwise treat it as an attack`,
    );
  if (err instanceof AuthError && err.status === 401)
    return check(
      'api-key',
      'connection',
      'CRITICAL',
      `API key refused: ${msg}`,
      'create a new API key on the server (an XROAD_SECURITYSERVER_OBSERVER key is enough) and update the secret the context refers to',
    );
  if (err instanceof AuthError)
    return check('api-key', 'connection', 'WARNING', `API key may not read the version: ${msg}`, 'use an API key with the XROAD_SECURITYSERVER_OBSERVER role');
  if (err instanceof TimeoutError || err.code === 'deadline')
    return check(
      'reachability',
      'connection',
      'UNKNOWN',
      `no complete answer within ${timeoutS} s (the server is hung or very slow)${err.step ? `: ${msg}` : waitingOn.length ? `; waiting on ${waitingOn.join(', ')}` : ''}`,
      'check the server (xroad-proxy-ui-api service, load, disk); raise --timeout if it is only slow',
    );
  if (err instanceof ConfigError) return check('reachability', 'connection', 'UNKNOWN', msg, err.hint ?? 'fix the context (xrdctl context show)');
  return check(
    'reachability',
    'connection',
    'UNKNOWN',
    `cannot reach it: ${msg}`,
    err.hint ? `${err.hint}; check the network and the admin service (port 4000)` : 'check the network, the URL and the admin service (port 4000)',
  );
}

class Deadline extends XrdError {
  override readonly code = 'deadline';
}

async function one(
  target: Target,
  centralOf: (name?: string) => (() => Promise<CentralServerApi | undefined>) | undefined,
  o: HealthOptions,
): Promise<ServerHealth> {
  const t0 = Date.now();
  const budget = Math.max(100, o.t.timeout * 1000);
  let http: HttpClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const groups = o.groups?.length ? new Set(o.groups) : undefined;
  let result: ServerChecks;
  let reached = true;
  try {
    const work = (async () => {
      http = await target.open();
      const opts = { t: o.t, at: target.at, groups, central: centralOf(target.central), desired: target.desired, signing: target.signing };
      return target.kind === 'central' ? checkCentralServer(new CentralServerApi(http), opts) : checkSecurityServer(new SecurityServerApi(http), opts);
    })();
    work.catch(() => undefined);
    result = await Promise.race([work, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Deadline('deadline')), budget)))]);
  } catch (e) {
    reached = false;
    const waiting = (http as HttpClient | undefined)?.waitingOn.map((s) => `${target.name} step ${s}`) ?? [];
    result = { checks: [connectionFailure(e, target.at, o.t.timeout, waiting)], certificates: [] };
  } finally {
    if (timer) clearTimeout(timer);
    // after the deadline, closing the client aborts the reads still under way
    if (!reached) http?.close();
  }
  const status = worst(result.checks.map((c) => c.status));
  return {
    server: target.name,
    kind: target.kind,
    status,
    reached,
    durationMs: Date.now() - t0,
    checks: sortChecks(result.checks),
    certificates: result.certificates,
  };
}

function sortChecks(c: CheckResult[]): CheckResult[] {
  const order = ['connection', 'system', 'token', 'certificates', 'globalconf', 'ocsp', 'timestamping', 'registration', 'clients', 'memory', 'central'];
  return [...c].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
}

/** Check every target in parallel; the report's status is the worst server's. */
export async function runHealth(targets: Target[], helpers: Target[], o: HealthOptions): Promise<HealthReport> {
  const opened: HttpClient[] = [];
  const track = (t: Target): Target => ({
    ...t,
    open: async () => {
      const h = await t.open();
      opened.push(h);
      return h;
    },
  });
  // one shared connection per central server used for registration lookups (opened on first need)
  const cs = new Map<string, Promise<CentralServerApi | undefined>>();
  const centralOf = (name?: string) => {
    const h = name ? helpers.find((x) => x.name === name && x.kind === 'central') : undefined;
    if (!h) return undefined;
    return () => {
      if (!cs.has(h.name))
        cs.set(
          h.name,
          track(h)
            .open()
            .then(
              (x) => new CentralServerApi(x),
              () => undefined,
            ),
        );
      return cs.get(h.name)!;
    };
  };
  try {
    const servers = await Promise.all(targets.map((t) => one(track(t), centralOf, o)));
    return { status: worst(servers.map((s) => s.status)), checkedAt: new Date().toISOString(), servers };
  } finally {
    for (const h of opened) h.close();
  }
}
