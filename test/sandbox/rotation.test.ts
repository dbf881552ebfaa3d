/** Rehearsing xroad-flows §5 on the sandbox: auth and sign cert rotation, and the ways to lose the working cert. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents, until, real } from './helpers.js';
import { approveAll, approveWaiting, keyCsrSignImport, registeredServer, ssApi } from './scenario.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ securityServers: 2, gcIntervalMs: 100, rateLimit: false });
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

describe('rotation rehearsal', () => {
  it('auth cert A1–A11: the new cert works before the old one is cut off; unregister is immediate at the CS', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    const cs = sb.cs;
    const { authHash: oldHash } = await registeredServer(sb, 0);
    const oldKey = (await api('GET', '/tokens')).json[0].keys.find((k: { certificates: Array<{ certificate_details: { hash: string } }> }) =>
      k.certificates.some((c) => c.certificate_details.hash === oldHash),
    ).id;
    // A1–A7
    const fresh = await keyCsrSignImport(sb, 0, 'AUTHENTICATION');
    expect((await api('PUT', `/token-certificates/${fresh.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
    await approveWaiting(sb, 'AUTH_CERT_REGISTRATION_REQUEST');
    await until(
      () => api('GET', `/token-certificates/${fresh.hash}`),
      (r) => r.json.status === 'REGISTERED',
    );
    expect((await api('PUT', `/token-certificates/${fresh.hash}/activate`)).status).toBe(204);
    const certs = await call(cs.url, cs.apiKeys.admin, 'GET', `/security-servers/${ss.serverId}/authentication-certificates`);
    expect(certs.json.map((c: { hash: string }) => c.hash).sort()).toEqual([oldHash, fresh.hash].sort());
    // A9–A11
    expect((await api('PUT', `/token-certificates/${oldHash}/disable`)).status).toBe(204);
    expect((await api('PUT', `/token-certificates/${oldHash}/unregister`)).status).toBe(204);
    expect((await api('GET', `/token-certificates/${oldHash}`)).json.status).toBe('DELETION_IN_PROGRESS');
    const after = await call(cs.url, cs.apiKeys.admin, 'GET', `/security-servers/${ss.serverId}/authentication-certificates`);
    expect(after.json.map((c: { hash: string }) => c.hash)).toEqual([fresh.hash]);
    await sb.waitForGlobalConf();
    expect((await api('GET', `/token-certificates/${oldHash}`)).json.status).toBe('DELETION_IN_PROGRESS'); // GC never changes it
    expect((await api('DELETE', `/token-certificates/${oldHash}`)).status).toBe(204);
    expect((await api('DELETE', `/keys/${oldKey}`)).status).toBe(204);
    // the server still works: a client registration goes through
    expect((await api('POST', '/clients', { client: { member_class: 'GOV', member_code: ss.ownerId!.split(':')[2], subsystem_code: 'AFTER' } })).status).toBe(
      201,
    );
    expect((await api('PUT', `/clients/${ss.ownerId}:AFTER/register`)).status).toBe(204);
  });

  it('cutting off the only auth cert or the only sign cert takes the server off the exchange (§5 losses)', async () => {
    const ss = sb.ss[1]!;
    const api = ssApi(ss);
    const { authHash, signHash } = await registeredServer(sb, 1);
    expect((await api('POST', '/clients', { client: { member_class: 'GOV', member_code: ss.ownerId!.split(':')[2], subsystem_code: 'LOST' } })).status).toBe(
      201,
    );
    const sub = `${ss.ownerId}:LOST`;
    // disabling the only auth cert: no X-Road-message requests, not even unregistering it
    expect((await api('PUT', `/token-certificates/${authHash}/disable`)).status).toBe(204);
    const reg = await api('PUT', `/clients/${sub}/register`);
    expect([reg.status, reg.json.error.code]).toEqual([500, 'management_request_sending_failed']);
    expect((await api('PUT', `/token-certificates/${authHash}/unregister`)).json.error.code).toBe('management_request_sending_failed');
    expect((await api('PUT', `/token-certificates/${authHash}/activate`)).status).toBe(204);
    // logging the token out does the same
    expect((await api('PUT', '/tokens/0/logout')).status).toBe(200);
    expect((await api('PUT', `/clients/${sub}/register`)).json.error.code).toBe('management_request_sending_failed');
    expect((await api('PUT', '/tokens/0/login', { password: ss.tokenPin })).status).toBe(200);
    // disabling the only sign cert: even auth-cert registration fails
    expect((await api('PUT', `/token-certificates/${signHash}/disable`)).status).toBe(204);
    const spare = await keyCsrSignImport(sb, 1, 'AUTHENTICATION');
    const r2 = await api('PUT', `/token-certificates/${spare.hash}/register`, { address: ss.address });
    expect([r2.status, r2.json.error.code]).toEqual([500, 'management_request_sending_failed']);
    expect(r2.json.error.metadata[0]).toMatch(/no suitable certificates/);
    // sign rotation S1–S5 restores it
    const newSign = await keyCsrSignImport(sb, 1, 'SIGNING', ss.ownerId);
    expect((await api('GET', `/token-certificates/${newSign.hash}`)).json).toMatchObject({
      active: true,
      status: 'REGISTERED',
      ocsp_status: 'OCSP_RESPONSE_GOOD',
    });
    expect((await api('GET', `/clients/${ss.ownerId}`)).json.has_valid_local_sign_cert).toBe(true);
    expect((await api('PUT', `/token-certificates/${spare.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
    expect((await api('PUT', `/clients/${sub}/register`)).status).toBe(204);
    // an expired auth cert is no longer usable either
    sb.clock.advance(400 * 86_400_000);
    expect((await api('GET', `/token-certificates/${authHash}`)).json.ocsp_status).toBe('EXPIRED');
    expect((await api('PUT', `/clients/${sub}/unregister`)).json.error.code).toBe('management_request_sending_failed');
    sb.clock.set(new Date());
  });

  it('owner change: make-owner → approval → the server moves to the new owner at the next globalconf', async () => {
    const ss = sb.ss[0]!; // registered and rotated in the first test
    const api = ssApi(ss);
    const cs = sb.cs;
    expect(
      (await call(cs.url, cs.apiKeys.admin, 'POST', '/members', { member_name: 'New Owner', member_id: { member_class: 'COM', member_code: '777' } })).status,
    ).toBe(201);
    await sb.waitForGlobalConf();
    expect((await api('POST', '/clients', { client: { member_class: 'COM', member_code: '777' } })).status).toBe(201);
    await keyCsrSignImport(sb, 0, 'SIGNING', 'DEV:COM:777');
    expect((await api('PUT', '/clients/DEV:COM:777/register')).status).toBe(204);
    await approveAll(sb, 'CLIENT_REGISTRATION_REQUEST');
    await until(
      () => api('GET', '/clients/DEV:COM:777'),
      (r) => r.json.status === 'REGISTERED',
    );
    expect((await api('PUT', '/clients/DEV:COM:777/make-owner')).status).toBe(204);
    expect(await approveAll(sb, 'OWNER_CHANGE_REQUEST')).toHaveLength(1);
    await sb.waitForGlobalConf();
    await sb.waitForGlobalConf();
    const current = (await api('GET', '/security-servers?current_server=true')).json;
    expect(current.map((x: { id: string }) => x.id)).toEqual(['DEV:COM:777:SS1']);
    expect((await api('GET', '/clients/DEV:COM:777')).json).toMatchObject({ owner: true, status: 'REGISTERED' });
    expect((await api('GET', `/clients/${ss.ownerId}`)).json).toMatchObject({ owner: false, status: 'REGISTERED' });
    const tokens = (await api('GET', '/tokens')).json;
    const auth = tokens[0].keys
      .filter((k: { usage?: string }) => k.usage === 'AUTHENTICATION')
      .flatMap((k: { certificates: Array<{ status: string; active: boolean }> }) => k.certificates);
    expect(auth.some((c: { status: string; active: boolean }) => c.status === 'REGISTERED' && c.active)).toBe(true);
  });
});

describe('CS auto-approve settings', () => {
  it('auth-cert and client registrations are approved on receipt when configured (and the member exists)', async () => {
    const auto = await startSandbox({ gcIntervalMs: 100, rateLimit: false, autoApprove: { authCertRegistration: true, clientRegistration: true } });
    try {
      const ss = auto.ss[0]!;
      const api = ssApi(ss);
      const { initAndLogin } = await import('./scenario.js');
      await initAndLogin(auto, 0);
      await keyCsrSignImport(auto, 0, 'SIGNING', ss.ownerId);
      const a = await keyCsrSignImport(auto, 0, 'AUTHENTICATION');
      expect((await api('PUT', `/token-certificates/${a.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
      const reqs = await call(auto.cs.url, auto.cs.apiKeys.admin, 'GET', '/management-requests');
      expect(reqs.json.items.map((x: { status: string }) => x.status)).toEqual(['APPROVED']);
      await until(
        () => api('GET', `/token-certificates/${a.hash}`),
        (r) => r.json.status === 'REGISTERED',
      );
      expect((await api('PUT', `/token-certificates/${a.hash}/activate`)).status).toBe(204);
      expect((await api('POST', '/clients', { client: { member_class: 'GOV', member_code: ss.ownerId!.split(':')[2], subsystem_code: 'AUTO' } })).status).toBe(
        201,
      );
      expect((await api('PUT', `/clients/${ss.ownerId}:AUTO/register`)).status).toBe(204);
      await until(
        () => api('GET', `/clients/${ss.ownerId}:AUTO`),
        (r) => r.json.status === 'REGISTERED',
      );
    } finally {
      await auto.stop();
    }
  });
});
