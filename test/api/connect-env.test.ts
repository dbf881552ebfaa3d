import { describe, expect, it } from 'vitest';
import { connectHttp, requestRateLimit } from '../../src/api/connect.js';
import { ConfigError } from '../../src/errors/index.js';
import { openSession } from '../../src/services/session.js';
import type { DesiredInstance } from '../../src/model/desired.js';

describe('XRDCTL_RATE_LIMIT and XRDCTL_TIMEOUT reach every client', () => {
  it('XRDCTL_RATE_LIMIT is PER_SECOND[/PER_MINUTE], range-checked', () => {
    expect(requestRateLimit({})).toBeUndefined();
    expect(requestRateLimit({ XRDCTL_RATE_LIMIT: '50/1500' })).toEqual({ perSecond: 50, perMinute: 1500 });
    expect(requestRateLimit({ XRDCTL_RATE_LIMIT: '40' })).toEqual({ perSecond: 40, perMinute: 1200 });
    for (const bad of ['0', 'fast', '20/', '-1/600', '20/600/1', '1e3']) expect(() => requestRateLimit({ XRDCTL_RATE_LIMIT: bad }), bad).toThrow(ConfigError);
  });

  it('where a command paces itself, the limit replaces the default; where it does not, nothing is added', async () => {
    const conn = { url: 'https://127.0.0.1:1/api/v1', apiKey: 'env:XRD_TEST_KEY' };
    const env = { XRDCTL_RATE_LIMIT: '7/70', XRD_TEST_KEY: 'k-0123456789' };
    const paced = await connectHttp('ss1', conn, 'key', { env, rateLimit: { perSecond: 20, perMinute: 600 } });
    const plain = await connectHttp('ss1', conn, 'key', { env });
    expect((paced as unknown as { opts: { rateLimit?: unknown } }).opts.rateLimit).toEqual({ perSecond: 7, perMinute: 70 });
    expect((plain as unknown as { opts: { rateLimit?: unknown } }).opts.rateLimit).toBeUndefined();
    paced.close();
    plain.close();
  });

  it("apply's and plan's session takes XRDCTL_TIMEOUT (it used to fix 30 s for every request)", async () => {
    const saved = process.env.XRDCTL_TIMEOUT;
    process.env.XRDCTL_TIMEOUT = '1.5';
    process.env.XRD_TEST_KEY = 'k-0123456789';
    try {
      const desired = { servers: [{ name: 'ss1', conn: { url: 'https://127.0.0.1:1/api/v1', apiKey: 'env:XRD_TEST_KEY' } }] } as unknown as DesiredInstance;
      const s = await openSession(desired);
      const http = (s.security.get('ss1') as unknown as { http: { opts: { timeoutMs?: number } } }).http;
      expect(http.opts.timeoutMs).toBe(1500);
      s.close();
    } finally {
      if (saved === undefined) delete process.env.XRDCTL_TIMEOUT;
      else process.env.XRDCTL_TIMEOUT = saved;
    }
  });
});
