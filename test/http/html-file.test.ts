import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityServerApi } from '../../src/api/security-server.js';
import { ApiError } from '../../src/errors/index.js';
import { HttpClient } from '../../src/http/index.js';
import { startMiniServer } from '../support/mini-server.js';

const KEY = 'file-download-key-1234';

/** Found by the rotation fault cross: a login page in place of a CSR was taken as the CSR. */
describe('a web page where a file was asked for is an error naming server and step', () => {
  let srv: Awaited<ReturnType<typeof startMiniServer>>;
  beforeAll(async () => {
    srv = await startMiniServer({
      apiKey: KEY,
      handler: (r) =>
        r.url.includes('/csrs/')
          ? { status: 200, body: '<!doctype html><h1>Please log in</h1>', headers: { 'content-type': 'text/html; charset=utf-8' } }
          : undefined,
    });
  });
  afterAll(async () => srv?.close());

  it('downloadCsr refuses text/html', async () => {
    const http = new HttpClient({ baseUrl: srv.url, server: 'ss1', apiKey: KEY, tlsFingerprint: srv.fingerprint, timeoutMs: 5000 });
    try {
      const e = await new SecurityServerApi(http).downloadCsr('1', '2', 'PEM').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).oneLine()).toMatch(/^ss1 step download-csr: 200 answer is text\/html \(a web page\), not the file asked for/);
    } finally {
      http.close();
    }
  });
});
