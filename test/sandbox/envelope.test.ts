/** The real servers' envelope: auth 401/403, 413, 429, correlation id, faults (status, latency, reset, hang), control endpoints, globalconf delay. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents } from './helpers.js';
import { ssApi } from './scenario.js';

let sb: SandboxHandle;
let limited: SandboxHandle;
beforeAll(async () => {
  [sb, limited] = await Promise.all([
    startSandbox({ securityServers: 1, gcIntervalMs: 400, preset: 'initialized', rateLimit: false }),
    startSandbox({ securityServers: 1, gcIntervalMs: 60_000, preset: 'initialized' }), // default rate limit, real-ish globalconf timing
  ]);
});
afterAll(async () => {
  await sb?.stop();
  await limited?.stop();
  closeAgents();
});

describe('sandbox envelope', () => {
  it('listens on 127.0.0.1 with a pinned self-signed cert and answers every response with a correlation id', async () => {
    const ss = sb.ss[0]!;
    expect(new URL(ss.url).hostname).toBe('127.0.0.1');
    expect(ss.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const r = await call(ss.url, ss.apiKeys.admin, 'GET', '/system/version', undefined, { fingerprint: ss.fingerprint });
    expect(r.status).toBe(200);
    expect(r.headers['x-road-ui-correlation-id']).toMatch(/[0-9a-f-]{36}/);
    const r401 = await call(ss.url, undefined, 'GET', '/tokens');
    expect(r401.status).toBe(401);
    expect(r401.headers['x-road-ui-correlation-id']).toBeTruthy();
  });

  it('401 without or with an unknown key, 403 with a key lacking the role', async () => {
    const ss = sb.ss[0]!;
    expect((await call(ss.url, undefined, 'GET', '/tokens')).status).toBe(401);
    expect((await call(ss.url, 'not-a-key', 'GET', '/tokens')).status).toBe(401);
    expect((await call(ss.url, undefined, 'GET', '/tokens', undefined, { headers: { authorization: `Bearer ${ss.apiKeys.admin}` } })).status).toBe(401);
    const f = await call(ss.url, ss.apiKeys.XROAD_SERVICE_ADMINISTRATOR, 'GET', '/tokens');
    expect(f.status).toBe(403);
    expect(f.json).toEqual({ status: 403 });
    // observer may read diagnostics, not log in
    expect((await call(ss.url, ss.apiKeys.XROAD_SECURITYSERVER_OBSERVER, 'GET', '/diagnostics/globalconf')).status).toBe(200);
    expect((await call(ss.url, ss.apiKeys.XROAD_SECURITYSERVER_OBSERVER, 'PUT', '/tokens/0/login', { password: 'x' })).status).toBe(403);
    // registration officer may not generate auth CSRs (GENERATE_AUTH_CERT_REQ is SO only)
    const ro = await call(ss.url, ss.apiKeys.XROAD_REGISTRATION_OFFICER, 'POST', '/tokens/0/keys-with-csrs', {
      key_label: 'x',
      csr_generate_request: { key_usage_type: 'AUTHENTICATION', ca_name: 'Sandbox CA', csr_format: 'PEM', subject_field_values: {} },
    });
    expect(ro.status).toBe(403);
    // every role may read the version
    for (const role of Object.keys(ss.apiKeys)) expect((await call(ss.url, ss.apiKeys[role], 'GET', '/system/version')).status).toBe(200);
    // CS: approving needs the registration officer
    expect((await call(sb.cs.url, sb.cs.apiKeys.XROAD_SECURITY_OFFICER, 'POST', '/management-requests/1/approval')).status).toBe(403);
    expect((await call(sb.cs.url, sb.cs.apiKeys.XROAD_MANAGEMENT_SERVICE, 'GET', '/management-requests')).status).toBe(403);
  });

  it('413 over 50 KB for JSON, uploads allowed up to 10 MB', async () => {
    const ss = sb.ss[0]!;
    const big = { label: 'x'.repeat(60 * 1024) };
    const r = await call(ss.url, ss.apiKeys.admin, 'POST', '/tokens/0/keys', big);
    expect(r.status).toBe(413);
    // a 200 KB upload is not refused for size (it is not a certificate: 400)
    const up = await call(ss.url, ss.apiKeys.admin, 'POST', '/token-certificates', Buffer.alloc(200 * 1024, 1), { contentType: 'application/octet-stream' });
    expect(up.status).toBe(400);
    expect(up.json.error.code).toBe('invalid_certificate');
  });

  it('429 past 20 requests per second (default rate limit)', async () => {
    const ss = limited.ss[0]!;
    await new Promise((r) => setTimeout(r, 1100));
    const rs = await Promise.all(Array.from({ length: 30 }, () => call(ss.url, ss.apiKeys.admin, 'GET', '/system/version')));
    const codes = rs.map((r) => r.status);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(10);
    const limitedRes = rs.find((r) => r.status === 429)!;
    expect(limitedRes.headers['retry-after']).toBe('1');
    expect(limitedRes.json).toEqual({ status: 429, error: { code: 'too_many_requests' } });
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(20);
    // each server has its own limit, as separate machines do: the central server still answers
    expect((await call(limited.cs.url, limited.cs.apiKeys.admin, 'GET', '/system/version')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(ss.url, ss.apiKeys.admin, 'GET', '/system/version')).status).toBe(200);
  });

  it('faults: status for the next N calls, latency, connection reset, hang (client timeout), probability with a seed', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    sb.faults.add({ server: 'ss1', operation: 'getTokens', status: 503, code: 'service_unavailable', times: 2 });
    expect((await api('GET', '/tokens')).status).toBe(503);
    const second = await api('GET', '/tokens');
    expect(second.status).toBe(503);
    expect(second.json.error.code).toBe('service_unavailable');
    expect((await api('GET', '/tokens')).status).toBe(200);
    expect(sb.faults.list()).toEqual([]);

    sb.faults.add({ server: 'ss1', operation: 'GET /system/version', latencyMs: 300, times: 1 });
    const t0 = Date.now();
    expect((await api('GET', '/system/version')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);

    sb.faults.add({ server: 'ss1', operation: 'getInitializationStatus', reset: true, times: 1 });
    await expect(api('GET', '/initialization/status')).rejects.toThrow();

    sb.faults.add({ server: 'ss1', operation: 'systemVersion', hang: true, times: 1 });
    await expect(call(ss.url, ss.apiKeys.admin, 'GET', '/system/version', undefined, { timeoutMs: 300 })).rejects.toThrow(/timeout/);
    expect((await api('GET', '/system/version')).status).toBe(200);

    const run = async () => {
      sb.faults.clear();
      sb.faults.add({ server: '*', operation: 'getNodeType', status: 500, probability: 0.5, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await api('GET', '/system/node-type')).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.some((x) => x === 500) && a.some((x) => x === 200)).toBe(true);
    sb.faults.clear();
  });

  it('control endpoints: faults, clock, request log; they need the control token', async () => {
    const ss = sb.ss[0]!;
    const ctl = (m: string, p: string, b?: unknown, token = sb.controlToken) =>
      call(ss.url.replace(/\/api\/v1$/, ''), undefined, m, `/__sandbox${p}`, b, { headers: { authorization: `Bearer ${token}` } });
    expect((await ctl('GET', '/faults', undefined, 'wrong')).status).toBe(401);
    const add = await ctl('POST', '/faults', { server: 'ss1', operation: 'getTokens', status: 500, times: 1 });
    expect(add.status).toBe(201);
    expect((await ctl('GET', '/faults')).json).toHaveLength(1);
    expect((await ssApi(ss)('GET', '/tokens')).status).toBe(500);
    expect((await ctl('DELETE', '/faults')).status).toBe(204);
    const before = (await ctl('GET', '/clock')).json.now;
    const moved = await ctl('POST', '/clock', { advance_ms: 86_400_000 });
    expect(Date.parse(moved.json.now) - Date.parse(before)).toBeGreaterThanOrEqual(86_400_000 - 1000);
    await ctl('POST', '/clock', { set: new Date().toISOString() });
    sb.clearRequests();
    await ssApi(ss)('GET', '/tokens');
    await ssApi(ss)('PATCH', '/tokens/0', { name: 'renamed' });
    const log = (await ctl('GET', '/requests')).json;
    expect(log.map((e: { operationId: string; write: boolean }) => [e.operationId, e.write])).toEqual([
      ['getTokens', false],
      ['updateToken', true],
    ]);
    expect(sb.requests().filter((e) => e.write)).toHaveLength(1);
  });

  it('a CS change reaches the SS only after the globalconf cycle (clock-driven, 60 s interval here)', async () => {
    const ss = limited.ss[0]!;
    const api = ssApi(ss);
    await new Promise((r) => setTimeout(r, 1100)); // out of the 429 test's window
    expect(
      (
        await call(limited.cs.url, limited.cs.apiKeys.admin, 'POST', '/members', {
          member_name: 'Later',
          member_id: { member_class: 'COM', member_code: '7777' },
        })
      ).status,
    ).toBe(201);
    expect((await api('GET', '/member-names?member_class=COM&member_code=7777')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect((await api('GET', '/member-names?member_class=COM&member_code=7777')).status).toBe(404); // real time alone does not get there
    limited.clock.advance(10_000); // less than CS generation (0.4 × 60 s)
    expect((await api('GET', '/member-names?member_class=COM&member_code=7777')).status).toBe(404);
    limited.clock.advance(50_000); // a whole interval: generation, download, reconciliation
    expect((await api('GET', '/member-names?member_class=COM&member_code=7777')).json.member_name).toBe('Later');
    await limited.waitForGlobalConf();
    limited.clock.set(new Date());
  });
});
