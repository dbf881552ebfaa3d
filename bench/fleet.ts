// Fleet benchmark: plan and apply of a generated fleet against the sandbox with a latency injected into
// every request. Each row's floor is computed from what the run itself did:
// - the longest chain of dependent changes in the plan × the latency, plus the global-configuration waits
//   on that chain (an auth certificate REGISTERED, then client registrations listed: two intervals);
// - the busiest server's requests under the admin API's limits (20/s and 600/min);
// the floor is the larger. Converged requests are compared with the minimum read set derived from the
// manifest. BENCH_FLEET=SERVERSxCLIENTSxSERVICES (default 100x20x5, --quick 10x5x3), BENCH_LATENCY_MS (20).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { largeManifest } from '../examples/generate-large.js';
import { SandboxControl } from '../src/sandboxctl/control.js';
import { bareMedian, getsByServer, type BareServer } from './bare.js';
import { quick, row } from './row.js';

const [servers, clients, services] = (process.env.BENCH_FLEET ?? (quick ? '10x5x3' : '100x20x5')).split('x').map(Number) as [number, number, number];
const latency = Number(process.env.BENCH_LATENCY_MS ?? 20);
const gcIntervalMs = 1000;
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'xrdctl-fleet-'));
const sandboxDir = join(work, 'sandbox');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  XRDCTL_CONFIG_DIR: join(work, 'config'),
  XRDCTL_STATE_DIR: join(work, 'state'),
  XRDCTL_SANDBOX_DIR: sandboxDir,
};
delete env.CI;

function x(args: string[], timed = false): { out: string; ms: number; rssMb: number; code: number } {
  const t0 = Date.now();
  const cmd = timed ? '/usr/bin/time' : process.execPath;
  const argv = timed ? ['-f', 'XRD_MAXRSS_KB=%M', process.execPath, join(root, 'bin/run.js'), ...args] : [join(root, 'bin/run.js'), ...args];
  const r = spawnSync(cmd, argv, { env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 3_600_000 });
  const m = /XRD_MAXRSS_KB=(\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && !args.includes('--detailed-exitcode')) throw new Error(`xrdctl ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  return { out: r.stdout, ms: Date.now() - t0, rssMb: m ? Number(m[1]) / 1024 : NaN, code: r.status ?? -1 };
}

/** user+system CPU of a process, of its main (event-loop) thread, and its peak RSS, from /proc (Linux) */
function proc(pid: number): { cpuMs: number; mainCpuMs: number; hwmMb: number } {
  const ticks = (path: string) => {
    const stat = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100; // USER_HZ on Linux
  };
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuMs: ticks(`/proc/${pid}/stat`), mainCpuMs: ticks(`/proc/${pid}/task/${pid}/stat`), hwmMb: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return { cpuMs: NaN, mainCpuMs: NaN, hwmMb: NaN };
  }
}

interface FleetManifest {
  centralServer?: unknown;
  securityServers: {
    clients?: { serviceDescriptions?: { services?: { accessRights?: string[] }[] }[]; localGroups?: { members?: string[] }[] }[];
  }[];
}
function minimumReads(m: FleetManifest): number {
  let n = m.centralServer ? 1 : 0;
  for (const ss of m.securityServers) {
    n += 2;
    for (const c of ss.clients ?? []) {
      const subjects = new Set((c.serviceDescriptions ?? []).flatMap((d) => (d.services ?? []).flatMap((x) => x.accessRights ?? [])));
      n += 2 + subjects.size;
      if (c.localGroups?.length) n += 1 + c.localGroups.filter((g) => g.members?.length).length;
    }
  }
  return n;
}

type Counts = Record<string, { requests: number; writes: number }>;
const diff = (a: Counts, b: Counts): Counts =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, { requests: v.requests - (a[k]?.requests ?? 0), writes: v.writes - (a[k]?.writes ?? 0) }]));
/** seconds the busiest server needs for its share under 20/s and 600/min */
function rateFloorMs(c: Counts): { ms: number; server: string; requests: number } {
  let best = { ms: 0, server: '-', requests: 0 };
  for (const [server, { requests: n }] of Object.entries(c)) {
    const ms = Math.max((n / 20) * 1000, n > 600 ? Math.floor((n - 1) / 600) * 60_000 : 0);
    if (ms > best.ms) best = { ms, server, requests: n };
  }
  return best;
}
/** the longest chain of dependent changes in a plan (changes name what they depend on) */
function chainLength(plan: { servers: { changes: { id: string; dependsOn?: string[] }[] }[] }): number {
  const deps = new Map(plan.servers.flatMap((s) => s.changes.map((c) => [c.id, c.dependsOn ?? []] as const)));
  const memo = new Map<string, number>();
  const depth = (id: string, seen = new Set<string>()): number => {
    if (memo.has(id)) return memo.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const d = 1 + Math.max(0, ...(deps.get(id) ?? []).filter((p) => deps.has(p)).map((p) => depth(p, seen)));
    memo.set(id, d);
    return d;
  };
  return Math.max(0, ...[...deps.keys()].map((id) => depth(id)));
}

console.log(
  `fleet: ${servers} security servers × ${clients} clients × ${services} services, ${latency} ms injected per request, gc interval ${gcIntervalMs} ms`,
);
try {
  x(['sandbox', 'start', '--detach', '--security-servers', String(servers), '--gc-interval', String(gcIntervalMs)]);
  const vars = JSON.parse(x(['sandbox', 'env', '--json']).out).variables as Record<string, string>;
  Object.assign(env, vars);
  const ctl = SandboxControl.open(sandboxDir);
  process.on('exit', () => ctl.close());
  const pid = (JSON.parse(readFileSync(join(sandboxDir, 'sandbox.json'), 'utf8')) as { pid: number }).pid;
  x(['sandbox', 'fault', 'add', '--server', '*', '--operation', '*', '--latency', String(latency)]);
  const manifest = join(work, 'fleet.yaml');
  writeFileSync(manifest, largeManifest(servers, clients, services));
  const conc = String(Math.min(servers, 256)); // every server at once (the floor assumes it), up to --concurrency's maximum
  const step = async (args: string[]) => {
    const before = await ctl.requestCounts();
    const stats0 = await ctl.stats();
    const cpu0 = proc(pid);
    const r = x(args, true);
    const counts = diff(before, await ctl.requestCounts());
    const stats1 = await ctl.stats();
    const total = Object.values(counts).reduce((n, c) => n + c.requests, 0);
    const journal = { commits: stats1.journal.commits - stats0.journal.commits, compactions: stats1.journal.compactions - stats0.journal.compactions };
    const cpu1 = proc(pid);
    return {
      ...r,
      counts,
      total,
      sandboxCpuMs: cpu1.cpuMs - cpu0.cpuMs,
      sandboxMainCpuMs: cpu1.mainCpuMs - cpu0.mainCpuMs,
      keys: stats1.keygen.count - stats0.keygen.count,
      journal,
    };
  };
  // every command pays its process start: the floor includes this CLI's own `--version` (median of 5)
  const starts = Array.from({ length: 5 }, () => x(['--version']).ms).sort((a, b) => a - b);
  const startMs = starts[2]!;
  const plan = await step(['plan', manifest, '--json', '--concurrency', conc]);
  const p = JSON.parse(plan.out);
  const chain = chainLength(p.plan ?? p);
  const apply = await step(['apply', manifest, '--yes', '--json', '--concurrency', conc, '--timeout', '1800']);
  const again = await step(['apply', manifest, '--yes', '--json', '--concurrency', conc]);
  // the reference: the converged apply's reads by a bare node https client, under the same limits
  const reads = getsByServer((await ctl.requestLog()).slice(-again.total));
  const bareServers = [...reads].map(([name, paths]): BareServer => {
    const v = (k: string) => vars[`XRD_${name.toUpperCase()}_${k}`] ?? '';
    return { url: v('URL'), apiKey: v('API_KEY'), fingerprint: v('TLS_FINGERPRINT'), paths };
  });
  const bare = await bareMedian(bareServers, { sockets: 2, perSecond: 20 });
  // the minimum read set, from the manifest: per server its tokens and clients; per client its service
  // descriptions (services and endpoints inside), its service clients, then the access rights of each
  // subject; its local groups (and each group's members) only where it declares some; the central
  // server's client list once
  const readFloor = minimumReads(parseYaml(readFileSync(manifest, 'utf8')) as FleetManifest);
  const readChainMs = 3 * latency; // three rounds of dependent reads per server
  const floors = {
    plan: startMs + Math.max(readChainMs, rateFloorMs(plan.counts).ms),
    apply: startMs + Math.max(chain * latency + 2 * gcIntervalMs, rateFloorMs(apply.counts).ms),
    again: startMs + Math.max(readChainMs, rateFloorMs(again.counts).ms),
  };
  const busiest = rateFloorMs(apply.counts);
  console.log(`plan: ${chain} changes on the longest chain; first apply ${apply.total} requests, busiest server ${busiest.server} with ${busiest.requests}`);
  row({
    name: `fleet ${servers}x${clients}x${services}: first apply`,
    measured: apply.ms / 1000,
    floor: floors.apply / 1000,
    unit: 's',
    target: 1.5,
    note: `floor: process start ${startMs} ms + max(chain ${chain} × ${latency} ms + 2 gc intervals, ${busiest.requests} requests to ${busiest.server} at 20/s and 600/min)`,
  });
  row({
    name: `fleet ${servers}x${clients}x${services}: converged apply`,
    measured: again.ms / 1000,
    floor: floors.again / 1000,
    unit: 's',
    target: 1.5,
    note:
      `a bare node https client sending the same ${bare.requests} GETs (bench/fixtures/bare-client.mjs; two connections and 20/s per server, ` +
      `no dependencies between them, node's start included): ${(bare.ms / 1000).toFixed(2)} s, CPU ${(bare.cpuMs / 1000).toFixed(2)} s`,
  });
  row({
    name: `fleet ${servers}x${clients}x${services}: converged requests`,
    measured: again.total,
    floor: readFloor,
    unit: 'req',
    target: 1.1,
    note: `minimum read set from the manifest: ${servers} servers × (tokens + clients) + ${servers * clients} clients × (descriptions + service clients + each subject's rights) + the CS client list`,
  });
  row({ name: `fleet ${servers}x${clients}x${services}: plan`, measured: plan.ms / 1000, floor: floors.plan / 1000, unit: 's', target: 1.5 });
  row({
    name: `fleet ${servers}x${clients}x${services}: CLI peak RSS`,
    measured: Math.max(plan.rssMb, apply.rssMb, again.rssMb),
    floor: 300,
    unit: 'MiB',
    target: 1.0,
    note: `a limit, not a floor: plan ${plan.rssMb.toFixed(0)}, first apply ${apply.rssMb.toFixed(0)}, converged apply ${again.rssMb.toFixed(0)} MiB; the sandbox's own peak RSS: ${proc(pid).hwmMb.toFixed(0)} MiB`,
  });
  row({
    name: 'sandbox CPU per request (first apply)',
    measured: apply.sandboxMainCpuMs / Math.max(1, apply.total),
    floor: 0.5,
    unit: 'ms',
    target: 1.0,
    note:
      `a limit: the sandbox must not be what a fleet row measures. Its event-loop thread: ${apply.sandboxMainCpuMs.toFixed(0)} ms CPU for ${apply.total} requests; ` +
      `the whole process ${apply.sandboxCpuMs.toFixed(0)} ms (with ${apply.keys} token keys generated in the thread pool, as a signer makes them, the GC and the JIT); ` +
      `${apply.journal.commits} journal commits, ${apply.journal.compactions} snapshots`,
  });
} finally {
  spawnSync(process.execPath, [join(root, 'bin/run.js'), 'sandbox', 'stop'], { env, stdio: 'ignore' });
}
