/** HTTP helpers for the sandbox tests (node:https, pinned to the listener's self-signed cert fingerprint). */
import { request, Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { realStatus } from '../../src/sandbox/deviations.js';

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  buf: Buffer;
  text: string;
  json: any;
}

const agents = new Map<string, Agent>();
function agentFor(url: string): Agent {
  const u = new URL(url);
  let a = agents.get(u.host);
  if (!a) {
    // idle sockets close (4 s) before the sandbox's keep-alive timeout (5 s) does: a reused socket is never one the
    // server is closing at that moment (Node's keep-alive race, seen as 'socket hang up' under load)
    a = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 16, timeout: 4000 });
    agents.set(u.host, a);
  }
  return a;
}

export function call(
  base: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string; timeoutMs?: number; headers?: Record<string, string>; fingerprint?: string } = {},
): Promise<Res> {
  const url = new URL(base + path);
  let payload: Buffer | undefined;
  let ct = opts.contentType;
  if (body !== undefined) {
    if (Buffer.isBuffer(body)) payload = body;
    else if (typeof body === 'string') payload = Buffer.from(body);
    else {
      payload = Buffer.from(JSON.stringify(body));
      ct ??= 'application/json';
    }
    ct ??= 'application/json';
  }
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (key !== undefined) headers.authorization = `X-Road-ApiKey token=${key}`;
  if (ct) headers['content-type'] = ct;
  if (payload) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: agentFor(base) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json: unknown;
        if (String(res.headers['content-type'] ?? '').includes('json') && text) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, buf, text, json });
      });
      res.on('error', reject);
    });
    if (opts.fingerprint) {
      req.on('socket', (s) => {
        s.on('secureConnect', () => {
          const fp = (s as TLSSocket).getPeerCertificate().fingerprint256;
          if (fp !== opts.fingerprint) req.destroy(new Error(`fingerprint mismatch ${fp}`));
        });
      });
    }
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export async function until<T>(f: () => Promise<T>, pred: (v: T) => boolean, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(v).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

let strictStatuses = false;
/** tests of a `strictSpec: true` sandbox expect the spec's statuses from real() */
export function expectStrictStatuses(on: boolean): void {
  strictStatuses = on;
}
/** the status the sandbox answers where the spec says `spec`: the real 7.8 server's (src/sandbox/deviations.ts) by default */
export function real(op: string, spec: number, api: 'ss' | 'cs' = 'ss'): number {
  return strictStatuses ? spec : (realStatus(api, op, spec) ?? spec);
}

/** a multipart/form-data body (CS uploads: certification services, TSAs) */
export function multipart(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): { body: Buffer; ct: string } {
  const b = `----xrdctl${Date.now().toString(16)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${b}--\r\n`));
  return { body: Buffer.concat(chunks), ct: `multipart/form-data; boundary=${b}` };
}
