// The reference lines of the fleet and health rows: the same GETs the CLI made (from the sandbox's request log),
// sent by a bare node https client (bench/fixtures/bare-client.mjs) in a process of its own, with the same
// connections per server and the same rate limit. What it takes is what node's HTTPS alone costs on this
// machine for that work: a row cannot come in below it by anything the CLI does on top.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RequestLogEntry } from '../src/sandbox/http.js';

export interface BareServer {
  url: string;
  apiKey: string;
  fingerprint: string;
  paths: string[];
}
export interface BareResult {
  /** the child's whole life, node's start included */
  ms: number;
  cpuMs: number;
  requests: number;
  failed: number;
}

/** each server's GETs in the order the log has them (path and query, below the API's base URL) */
export function getsByServer(log: RequestLogEntry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of log) {
    if (e.method !== 'GET') continue;
    let paths = out.get(e.server);
    if (!paths) out.set(e.server, (paths = []));
    paths.push(e.path.replace(/^\/api\/v1/, '') + (e.query ?? ''));
  }
  return out;
}

export function bareReplay(servers: BareServer[], o: { sockets: number; perSecond?: number }): Promise<BareResult> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/bare-client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`bare client exited ${code}`));
      const r = JSON.parse(out) as { cpuMs: number; requests: number; failed: number };
      resolve({ ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
    p.stdin.end(JSON.stringify({ servers, ...o }));
  });
}

/** the median run of `runs` by wall time */
export async function bareMedian(servers: BareServer[], o: { sockets: number; perSecond?: number }, runs = 3): Promise<BareResult> {
  const all: BareResult[] = [];
  for (let i = 0; i < runs; i++) {
    // let the previous run's second of requests leave the server's window
    await new Promise((r) => setTimeout(r, 1100));
    all.push(await bareReplay(servers, o));
  }
  return all.sort((a, b) => a.ms - b.ms)[Math.floor(all.length / 2)]!;
}
