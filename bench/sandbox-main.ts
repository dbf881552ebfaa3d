/**
 * Sandbox benchmark (not a test): requests/s and p50/p99 latency of a mixed read workload against one sandbox SS,
 * beside a bare node:https server answering a fixed body with the same TLS key, as a ratio.
 * Run: `node --import tsx -e "await (await import('./bench/sandbox-main.ts')).main()"` (or from bench/).
 */
import { Agent, createServer, request } from 'node:https';
import { startSandbox } from '../src/sandbox/index.js';
import { loadState } from '../src/sandbox/journal.js';

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, paths: string[], durationMs: number, concurrency: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: concurrency });
  const lat: number[] = [];
  let errors = 0;
  let i = 0;
  const end = Date.now() + durationMs;
  const one = (path: string) =>
    new Promise<void>((resolve) => {
      const t = process.hrtime.bigint();
      const r = request(url + path, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) errors++;
          lat.push(Number(process.hrtime.bigint() - t) / 1e6);
          resolve();
        });
      });
      r.on('error', () => {
        errors++;
        resolve();
      });
      r.end();
    });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one(paths[i++ % paths.length]!);
    }),
  );
  const secs = (Date.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0;
  return { rps: lat.length / secs, p50: q(0.5), p99: q(0.99), errors };
}

export async function main(opts: { durationMs?: number; concurrency?: number } = {}): Promise<{ sandbox: Result; bare: Result }> {
  const durationMs = opts.durationMs ?? 3000;
  const concurrency = opts.concurrency ?? 16;
  const sb = await startSandbox({ preset: 'initialized', rateLimit: false, gcIntervalMs: 3000 });
  try {
    const ss = sb.ss[0]!;
    const h = { authorization: `X-Road-ApiKey token=${ss.apiKeys.admin}` };
    // some state to read: a logged-in token with a key and a client
    await new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ password: ss.tokenPin });
      const r = request(
        `${ss.url}/tokens/0/login`,
        { method: 'PUT', rejectUnauthorized: false, headers: { ...h, 'content-type': 'application/json', 'content-length': String(body.length) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      r.on('error', reject);
      r.end(body);
    });
    const paths = [
      '/tokens',
      '/clients',
      '/system/version',
      '/diagnostics/globalconf',
      '/initialization/status',
      '/certificate-authorities',
      `/clients/${encodeURIComponent(ss.ownerId!)}`,
    ];
    const sandbox = await load(ss.url, h, paths, durationMs, concurrency);

    const st = loadState(sb.dir)!;
    const fixed = Buffer.from(JSON.stringify({ info: '7.8.1' }));
    const bareServer = createServer({ key: st.tls.ss1!.keyPem, cert: st.tls.ss1!.certPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(fixed.length) });
      res.end(fixed);
    });
    await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', () => r()));
    const addr = bareServer.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const bare = await load(`https://127.0.0.1:${port}`, {}, ['/'], durationMs, concurrency);
    bareServer.closeAllConnections();
    bareServer.close();

    const f = (n: number) => n.toFixed(1);
    process.stdout.write(
      `sandbox mixed reads : ${f(sandbox.rps)} req/s  p50 ${f(sandbox.p50)} ms  p99 ${f(sandbox.p99)} ms  errors ${sandbox.errors}\n` +
        `bare https fixed    : ${f(bare.rps)} req/s  p50 ${f(bare.p50)} ms  p99 ${f(bare.p99)} ms\n` +
        `ratio sandbox/bare  : throughput ${(sandbox.rps / bare.rps).toFixed(2)}  p50 ${(sandbox.p50 / bare.p50).toFixed(2)}x  p99 ${(sandbox.p99 / bare.p99).toFixed(2)}x  (concurrency ${concurrency}, ${durationMs} ms each)\n`,
    );
    return { sandbox, bare };
  } finally {
    await sb.stop();
  }
}
