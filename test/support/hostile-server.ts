import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './tls.js';

/**
 * A hostile admin-API server for tests, on 127.0.0.1 only. In front of a real upstream (a sandbox
 * server, reached with its pinned certificate) it forwards every request and corrupts the answers
 * a rule picks; without an upstream it answers everything itself. It records what it received,
 * authorization header included, so a test can prove the key never reached it.
 */
export type Corruption =
  /** forward, but cut the body in half and drop the connection (Content-Length promises more) */
  | 'truncated'
  /** 200 application/json whose body does not parse */
  | 'invalid-json'
  /** 200 text/html (a captive portal, a login page of a proxy) */
  | 'html-200'
  /** 200 JSON of the wrong shape: every list becomes an object and every object a list, ids become null */
  | 'schema'
  /** 200 application/json `null` */
  | 'null'
  /** a JSON body larger than any sane answer (64 MiB, streamed) */
  | 'huge'
  /** a body that never ends (one byte every 50 ms) */
  | 'endless'
  /** 302 to another host (the key must not follow) */
  | 'redirect'
  /** forward, with control characters, escape sequences, bidi overrides and look-alike ids in every string */
  | 'control-chars';

export interface HostileRequest {
  method: string;
  url: string;
  authorization?: string;
  /** fingerprint of the certificate the connection of this request presented */
  certificate?: string;
}

export interface HostileOptions {
  upstream?: { url: string; fingerprint: string };
  /** which answers to corrupt (default: none) */
  rule?: (req: HostileRequest) => Corruption | undefined;
  /** present a new certificate on every TLS connection */
  changingCert?: boolean;
}

/** Control characters, terminal escapes and look-alikes added to strings by 'control-chars'. */
export const NASTY = '\u001b]0;pwned\u0007\u001b[2J\u001b[31m\r\nerror: forged line\u202e\u200b\u0085\u009b31m\u0000';

function corruptShape(v: unknown, depth = 0): unknown {
  if (depth > 50) return v;
  if (Array.isArray(v)) return { items: v.map((x) => corruptShape(x, depth + 1)) };
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => (k === 'id' || k.endsWith('_id') ? null : corruptShape(x, depth + 1)));
  return v;
}

function nastyStrings(v: unknown, depth = 0): unknown {
  if (depth > 50) return v;
  if (typeof v === 'string') return v + NASTY;
  if (Array.isArray(v)) return v.map((x) => nastyStrings(x, depth + 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nastyStrings(x, depth + 1)]));
  return v;
}

export async function startHostileServer(opts: HostileOptions = {}) {
  let cert = selfSignedCert();
  const certs = [cert];
  const received: HostileRequest[] = [];
  const sockets = new Set<import('node:stream').Duplex>();
  const timers = new Set<NodeJS.Timeout>();
  const presented = new WeakMap<object, string>();
  const upstreamAgent = opts.upstream ? new https.Agent({ keepAlive: true, rejectUnauthorized: false }) : undefined;
  const upstream = opts.upstream ? new URL(opts.upstream.url) : undefined;

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      const r = https.request(
        { hostname: upstream!.hostname, port: upstream!.port, path: req.url, method: req.method, headers, agent: upstreamAgent, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
            resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      r.on('socket', (s) => {
        (s as tls.TLSSocket).once('secureConnect', () => {
          if ((s as tls.TLSSocket).getPeerCertificate().fingerprint256 !== opts.upstream!.fingerprint) r.destroy(new Error('upstream pin mismatch'));
        });
      });
      r.on('error', reject);
      r.on('timeout', () => r.destroy(new Error('upstream timeout')));
      r.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const hr: HostileRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      certificate: presented.get(req.socket),
    };
    received.push(hr);
    const kind = opts.rule?.(hr);
    const json = (status: number, text: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (kind === 'invalid-json') return json(200, '{"id": "1", "keys": [tru');
    if (kind === 'html-200') return json(200, '<!doctype html><html><body><h1>Please log in</h1></body></html>', 'text/html; charset=utf-8');
    if (kind === 'null') return json(200, 'null');
    if (kind === 'redirect') {
      res.writeHead(302, { location: 'https://203.0.113.7:4000/api/v1/steal', 'content-length': 0 });
      return res.end();
    }
    if (kind === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('["');
      const chunk = 'A'.repeat(1024 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent >= 64 || res.destroyed) return res.end('"]');
        sent++;
        res.once('drain', pump);
      };
      return pump();
    }
    if (kind === 'endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const t = setInterval(() => {
        if (res.destroyed) {
          clearInterval(t);
          timers.delete(t);
          return;
        }
        res.write('"x",');
      }, 50);
      timers.add(t);
      return;
    }
    let up: { status: number; headers: Record<string, string>; body: Buffer };
    if (upstream) {
      try {
        up = await forward(req, body);
      } catch (e) {
        return json(502, JSON.stringify({ status: 502, error: { code: `hostile_proxy_${(e as Error).message}` } }));
      }
    } else {
      up = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ info: '7.8.1' })) };
    }
    let out = up.body;
    const isJson = /json/.test(up.headers['content-type'] ?? '');
    if (up.status >= 200 && up.status < 300 && isJson && out.length) {
      if (kind === 'schema') out = Buffer.from(JSON.stringify(corruptShape(JSON.parse(out.toString('utf8')))));
      if (kind === 'control-chars') out = Buffer.from(JSON.stringify(nastyStrings(JSON.parse(out.toString('utf8')))));
    }
    if (kind === 'truncated' && up.status >= 200 && up.status < 300) {
      res.writeHead(up.status, { ...up.headers, 'content-length': Math.max(out.length, 2) });
      res.write(out.subarray(0, Math.floor(out.length / 2)));
      // promise more than we send, then hang up
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.writeHead(up.status, { ...up.headers, 'content-length': out.length });
    res.end(out);
  };

  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size < 16 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s) => {
    const der = s.getCertificate() as { fingerprint256?: string } | null;
    if (der?.fingerprint256) presented.set(s, der.fingerprint256);
  });
  if (opts.changingCert) {
    server.on('secureConnection', () => {
      cert = selfSignedCert();
      certs.push(cert);
      server.setSecureContext({ key: cert.key, cert: cert.cert });
    });
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/api/v1`,
    /** the fingerprint of the first certificate (the one to pin) */
    fingerprint: certs[0]!.fingerprint,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        upstreamAgent?.destroy();
        server.close(() => r());
      }),
  };
}
