import http from 'node:http';
import https from 'node:https';
import { NetworkError, TimeoutError } from '../errors/index.js';
import { traceExchange } from './process.js';

/**
 * A plain request to a non-admin peer (an OCSP responder): no API key, no cookies, no redirects
 * followed, bounded in time and in size. http: and https: only.
 */
export async function requestBytes(
  url: string,
  o: { method?: 'GET' | 'POST'; body?: Buffer; contentType?: string; accept?: string; timeoutMs?: number; maxBytes?: number; what?: string; ca?: Buffer },
): Promise<{ status: number; body: Buffer }> {
  const what = o.what ?? url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NetworkError(`${what}: not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new NetworkError(`${what}: only http and https are supported`);
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxBytes = o.maxBytes ?? 1024 * 1024;
  const lib = u.protocol === 'https:' ? https : http;
  const method = o.method ?? (o.body ? 'POST' : 'GET');
  const started = performance.now();
  // the same trace as the admin API's exchanges (--verbose, XRDCTL_DEBUG=http): host and path only
  const trace = (status: number | string) => traceExchange(u.host, method, u.pathname, status, performance.now() - started);
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method,
        ...(o.ca ? { ca: o.ca } : {}),
        headers: {
          ...(o.body ? { 'content-type': o.contentType ?? 'application/octet-stream', 'content-length': String(o.body.length) } : {}),
          ...(o.accept ? { accept: o.accept } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy();
            reject(new NetworkError(`${what} answered more than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new NetworkError(`${what}: ${e.message}`)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new TimeoutError(`${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(Object.assign(new NetworkError(`${what} unreachable: ${e.code ?? e.message}`), { code: e.code }));
    });
    req.end(o.body);
  }).then(
    (r) => (trace(r.status), r),
    (e: unknown) => {
      trace(e instanceof TimeoutError ? 'timeout' : 'failed');
      throw e;
    },
  );
}
