import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/index.js';
import { ApiError, TimeoutError, TlsError } from '../../src/errors/index.js';
import { startMiniServer } from '../support/mini-server.js';
import { selfSignedCert } from '../support/tls.js';

/** The one HTTP layer, without the CLI: pinning, retries, timeouts, redaction, bounded answers. */
const KEY = 'unit-test-key-6f1c0e9a-0b1d-4c55-9a43-3c0f6a8e1d27';

describe('HttpClient', () => {
  let srv: Awaited<ReturnType<typeof startMiniServer>>;
  let posts = 0;
  beforeAll(async () => {
    srv = await startMiniServer({
      apiKey: KEY,
      handler: (req) => {
        if (req.method === 'POST' && req.url.endsWith('/flaky')) return (posts++, { status: 503, body: { status: 503 } });
        if (req.url.endsWith('/slow')) return { status: 200, body: {}, delayMs: 1500 };
        if (req.url.endsWith('/unavailable')) return { status: 503, body: { status: 503 } };
        if (req.url.endsWith('/limited') && srv.received.filter((r) => r.url.endsWith('/limited')).length === 1)
          return { status: 429, body: { status: 429 }, headers: { 'retry-after': '1' } };
        if (req.url.endsWith('/echo-key')) return { status: 400, body: { status: 400, error: { code: 'bad', metadata: [`token=${KEY}`] } } };
        return undefined;
      },
    });
  });
  afterAll(async () => srv.close());
  const client = (o: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
    new HttpClient({ baseUrl: srv.url, server: 'ss-test', apiKey: KEY, tlsFingerprint: srv.fingerprint, timeoutMs: 5000, ...o });

  it('parallel first requests pay one full TLS handshake: the other sockets wait for its pinned session and resume it', async () => {
    const before = { ...srv.handshakes };
    const c = client();
    const all = await Promise.all(Array.from({ length: 6 }, () => c.request({ method: 'GET', path: '/system/version', step: 'version' })));
    c.close();
    expect(all).toHaveLength(6);
    expect(srv.handshakes.full - before.full).toBe(1);
    expect(srv.handshakes.resumed - before.resumed).toBeGreaterThan(0);
  });

  it('close() abandons what is under way: a read waiting to retry never reaches the server afterwards', async () => {
    const c = client();
    const seen = () => srv.received.filter((r) => r.url.endsWith('/unavailable')).length;
    const before = seen();
    const p = c.request({ method: 'GET', path: '/unavailable', step: 'unavailable' }).catch((e: unknown) => e);
    for (let i = 0; i < 100 && seen() === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen()).toBe(before + 1);
    c.close(); // as a command's end does: the retry after the 503 must not go out
    const e = await p;
    await new Promise((r) => setTimeout(r, 800));
    expect(e).toBeInstanceOf(Error);
    expect(seen()).toBe(before + 1);
  });

  it('a wrong pin fails before any request (and so before the key) reaches the server', async () => {
    const before = srv.received.length;
    const c = client({ tlsFingerprint: selfSignedCert().fingerprint });
    const e = await c.request({ method: 'GET', path: '/system/version', step: 'version' }).catch((x: unknown) => x);
    c.close();
    expect(e).toBeInstanceOf(TlsError);
    expect((e as TlsError).server).toBe('ss-test');
    expect((e as Error).message).toMatch(/fingerprint mismatch/);
    expect(String((e as Error).message)).not.toContain(KEY);
    expect(srv.received.length).toBe(before);
  });

  it('without a pin or a CA, a self-signed server is refused (TLS is verified by default)', async () => {
    const before = srv.received.length;
    const c = client({ tlsFingerprint: undefined });
    await expect(c.request({ method: 'GET', path: '/system/version', step: 'version' })).rejects.toBeInstanceOf(TlsError);
    c.close();
    expect(srv.received.length).toBe(before);
  });

  it('the right pin: the key goes in the X-Road header and the answer is parsed', async () => {
    const c = client();
    const r = await c.request<{ info: string }>({ method: 'GET', path: '/system/version', step: 'version' });
    c.close();
    expect(r.status).toBe(200);
    expect(r.body.info).toMatch(/7\.8/);
    expect(srv.received.at(-1)!.authorization).toBe(`X-Road-ApiKey token=${KEY}`);
  });

  it('retries a safe request on 503, never a write', async () => {
    srv.setFlaky(2);
    const c = client();
    const before = srv.received.filter((r) => r.url.endsWith('/system/version')).length;
    expect((await c.request({ method: 'GET', path: '/system/version', step: 'version' })).status).toBe(200);
    expect(srv.received.filter((r) => r.url.endsWith('/system/version')).length - before).toBe(3);
    posts = 0;
    await expect(c.request({ method: 'POST', path: '/flaky', body: {}, step: 'write' })).rejects.toBeInstanceOf(ApiError);
    expect(posts).toBe(1);
    c.close();
  });

  it("429 is retried after the server's Retry-After, even for a write (the server did nothing)", async () => {
    const c = client();
    const t0 = Date.now();
    const r = await c.request({ method: 'PUT', path: '/limited', body: {}, step: 'limited' }).catch((e: unknown) => e);
    c.close();
    // the second attempt reaches the handler's default (404): what matters is that it was sent, a second later
    expect(srv.received.filter((x) => x.url.endsWith('/limited')).length).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(r).toBeInstanceOf(ApiError);
  });

  it('a per-attempt timeout ends a hanging request in bounded time, naming the server and step', async () => {
    const c = client({ timeoutMs: 200, retries: 0 });
    const t0 = Date.now();
    const e = await c.request({ method: 'GET', path: '/slow', step: 'slow-step' }).catch((x: unknown) => x);
    c.close();
    expect(e).toBeInstanceOf(TimeoutError);
    expect(Date.now() - t0).toBeLessThan(1400);
    expect((e as TimeoutError).server).toBe('ss-test');
  });

  it('an answer that echoes the key has it redacted in the error', async () => {
    const c = client();
    const e = await c.request({ method: 'POST', path: '/echo-key', body: {}, step: 'echo' }).catch((x: unknown) => x);
    c.close();
    expect(e).toBeInstanceOf(ApiError);
    const all = JSON.stringify({ m: (e as Error).message, h: (e as ApiError).hint ?? null, j: (e as ApiError).toJSON?.() ?? null });
    expect(all).not.toContain(KEY);
  });
});
