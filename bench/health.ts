// Health benchmark: `xrdctl health` of N sandbox security servers at once against one of them, with
// a latency injected into every request, as a ratio of wall times measured in one run (target ≤ 1.5×:
// the servers are checked in parallel). BENCH_HEALTH_SERVERS (default 100), BENCH_LATENCY_MS (default 20),
// BENCH_RUNS (default 3, the median counts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeContexts, type ContextFile } from '../src/config/contexts.js';
import { startSandbox } from '../src/sandbox/index.js';
import { bareMedian, getsByServer, type BareServer } from './bare.js';
import { quick, row } from './row.js';

const servers = Number(process.env.BENCH_HEALTH_SERVERS ?? (quick ? 20 : 100));
const latency = Number(process.env.BENCH_LATENCY_MS ?? 20);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'xrdctl-bench-health-'));
const env: NodeJS.ProcessEnv = { ...process.env, XRDCTL_CONFIG_DIR: join(work, 'config') };
delete env.CI;

/** the CLI as a child process (asynchronously: the sandbox in this process must keep answering) */
const time = existsSync('/usr/bin/time');
function cli(args: string[]): Promise<{ ms: number; out: string; code: number; cliCpuMs: number; sandboxCpuMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const argv = [join(root, 'bin/run.js'), ...args];
    const p = spawn(time ? '/usr/bin/time' : process.execPath, time ? ['-f', 'XRD_CPU=%U+%S', process.execPath, ...argv] : argv, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const c = process.cpuUsage(c0);
      const m = /XRD_CPU=([\d.]+)\+([\d.]+)/.exec(err);
      resolve({
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
        out,
        code: code ?? -1,
        cliCpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN,
        sandboxCpuMs: (c.user + c.system) / 1000,
      });
    });
  });
}

async function median(
  args: string[],
): Promise<{ ms: number; cliCpuMs: number; sandboxCpuMs: number; doc: { status: string; servers: { status: string; reached: boolean }[] } }> {
  const all: Awaited<ReturnType<typeof cli>>[] = [];
  for (let i = 0; i < runs; i++) {
    // the admin API allows 20 requests/s per client: let the window of the previous run pass
    await new Promise((r) => setTimeout(r, 1100));
    all.push(await cli(args));
  }
  all.sort((a, b) => a.ms - b.ms);
  const m = all[Math.floor(all.length / 2)]!;
  return { ms: m.ms, cliCpuMs: m.cliCpuMs, sandboxCpuMs: m.sandboxCpuMs, doc: JSON.parse(m.out) };
}

console.log(`health: ${servers} sandbox security servers, ${latency} ms injected per request, median of ${runs}`);
const t0 = Date.now();
// health makes no keys: no spare keys are made in the background of what is measured
const sb = await startSandbox({ securityServers: servers, preset: 'initialized', gcIntervalMs: 3000, dir: join(work, 'sandbox'), spareKeys: 0 });
try {
  mkdirSync(join(work, 'keys'), { mode: 0o700 });
  const file: ContextFile = { contexts: {} };
  for (const s of sb.ss) {
    const key = join(work, 'keys', s.name);
    writeFileSync(key, s.apiKeys.XROAD_SECURITYSERVER_OBSERVER!, { mode: 0o600 });
    file.contexts[s.name] = { kind: 'security', url: s.url, apiKey: `file:${key}`, tlsFingerprint: s.fingerprint };
  }
  await writeContexts(file, env);
  console.log(`sandbox with ${servers} servers ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  sb.faults.add({ server: '*', operation: '*', latencyMs: latency });
  await cli(['health', '-c', 'ss1', '--json']); // warm the file cache
  const one = await median(['health', '-c', 'ss1', '--json', '--timeout', '60']);
  const many = await median(['health', '--all-contexts', '--json', '--timeout', '60']);
  // the reference: the same reads by a bare node https client (two connections per server, as health uses)
  const logged = async (args: string[]) => {
    await new Promise((r) => setTimeout(r, 1100));
    sb.clearRequests();
    await cli(args);
    const gets = getsByServer(sb.requests());
    return sb.ss
      .filter((s) => gets.has(s.name))
      .map((s): BareServer => ({ url: s.url, apiKey: s.apiKeys.XROAD_SECURITYSERVER_OBSERVER!, fingerprint: s.fingerprint, paths: gets.get(s.name)! }));
  };
  const bareOne = await bareMedian(await logged(['health', '-c', 'ss1', '--json', '--timeout', '60']), { sockets: 2, perSecond: 20 }, runs);
  const bareMany = await bareMedian(await logged(['health', '--all-contexts', '--json', '--timeout', '60']), { sockets: 2, perSecond: 20 }, runs);
  const bare =
    `a bare node https client making the same reads (bench/fixtures/bare-client.mjs): ${bareOne.ms.toFixed(0)} ms for one server, ` +
    `${bareMany.ms.toFixed(0)} ms for ${servers} (${(bareMany.ms / bareOne.ms).toFixed(2)}x; ${bareMany.requests} reads, CPU ${bareMany.cpuMs.toFixed(0)} ms)`;
  const reached = many.doc.servers.filter((s) => s.reached).length;
  const cpu = (r: typeof one) => `CPU: CLI ${r.cliCpuMs.toFixed(0)} ms, sandbox ${r.sandboxCpuMs.toFixed(0)} ms`;
  console.log(`1 server:    ${one.ms.toFixed(0)} ms (status ${one.doc.status}; ${cpu(one)})`);
  console.log(`${servers} servers: ${many.ms.toFixed(0)} ms (${reached}/${many.doc.servers.length} reached, status ${many.doc.status}; ${cpu(many)})`);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs (the sandbox simulates all servers in this one process: wall time for many servers is bound by CPU)`,
  );
  console.log(`ratio ${servers}/1: ${(many.ms / one.ms).toFixed(2)}x (target ≤ 1.5x)`);
  console.log(bare);
  row({
    name: `health: ${servers} servers vs one`,
    measured: many.ms,
    floor: one.ms,
    unit: 'ms',
    target: 1.5,
    note: `CPU: CLI ${many.cliCpuMs.toFixed(0)} ms, sandbox ${many.sandboxCpuMs.toFixed(0)} ms (one sandbox process simulates every server); ${bare}`,
  });
} finally {
  await sb.stop();
}
