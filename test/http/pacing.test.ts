import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/index.js';
import { TimeoutError } from '../../src/errors/index.js';
import { startMiniServer } from '../support/mini-server.js';
import { selfSignedCert } from '../support/tls.js';

/**
 * How the one HTTP layer spends connections and stays under a server's rate limit, against a local
 * HTTPS server that counts what it sees (no CLI).
 */
const KEY = 'pacing-test-key-1b7e4c2a-9d0f-4e6b-8a51-7c3d2e1f0a9b';

describe('HttpClient connections and pacing', () => {
  let srv: Awaited<ReturnType<typeof startMiniServer>>;
  // a server limiting to LIMIT a second, counting each request when it handles it: a busy one handles the
  // first burst late (BUSY_MS), as a server whose queue is full does
  const LIMIT = 5;
  const BUSY_MS = 600;
  const handled: number[] = [];
  const statuses: number[] = [];
  beforeAll(async () => {
    srv = await startMiniServer({
      apiKey: KEY,
      handler: (req) => {
        if (req.url.includes('/paced')) {
          const busy = handled.length < LIMIT ? BUSY_MS : 0;
          const at = Date.now() + busy;
          const inWindow = handled.filter((t) => t > at - 1000).length;
          if (inWindow >= LIMIT) {
            statuses.push(429);
            return { status: 429, body: { status: 429 }, headers: { 'retry-after': '1' }, delayMs: busy };
          }
          handled.push(at);
          statuses.push(200);
          return { status: 200, body: [], delayMs: busy };
        }
        if (req.url.includes('/work')) return { status: 200, body: [], delayMs: 40 };
        return undefined;
      },
    });
  });
  afterAll(async () => srv.close());
  const limited = (perSecond: number) =>
    new HttpClient({
      baseUrl: srv.url,
      server: 'ss-test',
      apiKey: KEY,
      tlsFingerprint: srv.fingerprint,
      timeoutMs: 5000,
      rateLimit: { perSecond, perMinute: 600 },
    });

  it('parallel requests never open more connections than the maximum, however many arrive while the first is made', async () => {
    const before = srv.handshakes.full + srv.handshakes.resumed;
    const c = new HttpClient({ baseUrl: srv.url, server: 'ss-test', apiKey: KEY, tlsFingerprint: srv.fingerprint, maxSockets: 3, timeoutMs: 5000 });
    const all = await Promise.all(Array.from({ length: 24 }, (_, i) => c.request({ method: 'GET', path: `/work/${i}`, step: 'work' })));
    c.close();
    expect(all.every((r) => r.status === 200)).toBe(true);
    const made = srv.handshakes.full + srv.handshakes.resumed - before;
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThanOrEqual(3);
  });

  it('with a rate limit, fast answers keep the connections few: the limit, not sockets, bounds the pace', async () => {
    const before = srv.handshakes.full + srv.handshakes.resumed;
    const c = limited(20);
    // answers take 40 ms: 20 a second need one connection or two, not the default maximum of 8
    await Promise.all(Array.from({ length: 16 }, (_, i) => c.request({ method: 'GET', path: `/work/${i}`, step: 'work' })));
    c.close();
    expect(srv.handshakes.full + srv.handshakes.resumed - before).toBeLessThanOrEqual(3);
  });

  it('a server that handles a burst late does not see the next burst in the same second: no 429', async () => {
    const c = limited(LIMIT);
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => c.request({ method: 'GET', path: `/paced/${i}`, step: 'paced' })));
    c.close();
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(statuses).toHaveLength(3 * LIMIT);
    // three windows: the busy first one, then two more, each starting when the last answer is a second old
    expect(Date.now() - t0).toBeGreaterThanOrEqual(BUSY_MS + 2000);
  });
});

describe('HttpClient against a server that never finishes the TLS handshake', () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let port = 0;
  beforeAll(async () => {
    // accepts TCP and then says nothing: the client's TLS hello is never answered
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('every request, the one whose connection hangs and those waiting for a socket, ends at its timeout', async () => {
    const c = new HttpClient({
      baseUrl: `https://127.0.0.1:${port}/api/v1`,
      server: 'ss-hang',
      apiKey: KEY,
      tlsFingerprint: selfSignedCert().fingerprint,
      timeoutMs: 300,
      retries: 0,
      maxSockets: 2,
    });
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 5 }, () => c.request({ method: 'GET', path: '/tokens', step: 'tokens' }).catch((e: unknown) => e)));
    c.close();
    expect(all.every((e) => e instanceof TimeoutError)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
