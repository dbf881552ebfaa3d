// Fleet benchmark: plan and apply of a generated fleet against the sandbox with injected latency per
// request, measured in one run: wall time, requests sent against the minimum needed, peak memory of
// the CLI. BENCH_FLEET=SERVERSxCLIENTSxSERVICES (default 50x20x10), BENCH_LATENCY_MS (default 20).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { largeManifest } from '../examples/generate-large.js';

const [servers, clients, services] = (process.env.BENCH_FLEET ?? '50x20x10').split('x').map(Number) as [number, number, number];
const latency = Number(process.env.BENCH_LATENCY_MS ?? 20);
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'xrdctl-fleet-'));
const env: NodeJS.ProcessEnv = { ...process.env, XRDCTL_CONFIG_DIR: join(work, 'config'), XRDCTL_SANDBOX_DIR: join(work, 'sandbox') };
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

console.log(`fleet: ${servers} security servers × ${clients} clients × ${services} services, ${latency} ms injected per request`);
try {
  x(['sandbox', 'start', '--detach', '--security-servers', String(servers), '--gc-interval', '1000']);
  const vars = JSON.parse(x(['sandbox', 'env', '--json']).out).variables as Record<string, string>;
  Object.assign(env, vars);
  x(['sandbox', 'fault', 'add', '--server', '*', '--operation', '*', '--latency', String(latency)]);
  const manifest = join(work, 'fleet.yaml');
  writeFileSync(manifest, largeManifest(servers, clients, services));
  const conc = String(Math.min(servers, 64));
  const plan = x(['plan', manifest, '--json', '--concurrency', conc], true);
  const p = JSON.parse(plan.out);
  const apply = x(['apply', manifest, '--yes', '--json', '--concurrency', conc, '--timeout', '900'], true);
  const a = JSON.parse(apply.out);
  const again = x(['apply', manifest, '--yes', '--json', '--concurrency', conc], true);
  const g = JSON.parse(again.out);
  const reqs = JSON.parse(x(['sandbox', 'status', '--json']).out);
  void reqs;
  // the floor: batched reads (tokens + clients per server, then descriptions, groups, access subjects per managed client)
  const readFloor = servers * 2 + servers * clients * 3;
  const actions = p.summary.create + p.summary.update + p.summary.delete;
  console.log(`objects: ${actions} changes planned`);
  console.log(`plan:        ${(plan.ms / 1000).toFixed(1)} s, ${p.requests} requests (read floor ${readFloor}, ${(p.requests / readFloor).toFixed(2)}x), peak RSS ${plan.rssMb.toFixed(0)} MiB`);
  console.log(`apply:       ${(apply.ms / 1000).toFixed(1)} s, ${a.requests} requests for ${actions} changes (${(a.requests / actions).toFixed(2)} per change, incl. its plan reads and globalconf polls), ok=${a.result?.ok}, peak RSS ${apply.rssMb.toFixed(0)} MiB`);
  console.log(`apply again: ${(again.ms / 1000).toFixed(1)} s, ${g.requests} requests (read floor ${readFloor}, ${(g.requests / readFloor).toFixed(2)}x), changed=${g.changed}, peak RSS ${again.rssMb.toFixed(0)} MiB`);
} finally {
  spawnSync(process.execPath, [join(root, 'bin/run.js'), 'sandbox', 'stop'], { env, stdio: 'ignore' });
}
