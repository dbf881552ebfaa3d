/**
 * Conformance: a whole operator scenario against the sandbox, then every recorded request and response is
 * validated against the OpenAPI files in ../shared/xroad-openapi (status codes, bodies, required fields, enums).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents, expectStrictStatuses, until, real } from './helpers.js';
import { sandboxConformance, type Mode, type SandboxConformance } from './conformance-support.js';
import { approveWaiting, CA, keyCsrSignImport, registeredServer, ssApi } from './scenario.js';

afterAll(() => closeAgents());

// the default sandbox answers the real server's statuses (exactly the deviations table on top of the spec); --strict-spec exactly the spec
describe.each<Mode>(['real', 'strict'])('sandbox conformance scenario (%s mode)', (mode) => {
  let sb: SandboxHandle;
  let check: SandboxConformance;
  beforeAll(async () => {
    expectStrictStatuses(mode === 'strict');
    [sb, check] = await Promise.all([
      startSandbox({ securityServers: 2, gcIntervalMs: 150, rateLimit: false, record: true, strictSpec: mode === 'strict' }),
      sandboxConformance(mode),
    ]);
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('drives init → certs → registration → client → services → access rights, all conforming to the OpenAPI files', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    const cs = sb.cs;
    const csApi = (m: string, p: string, b?: unknown) => call(cs.url, cs.apiKeys.admin, m, p, b);

    // status before init, CA views
    const st0 = await api('GET', '/initialization/status');
    expect(st0.json).toMatchObject({ is_anchor_imported: false, software_token_init_status: 'NOT_INITIALIZED' });
    const t0 = Date.now();
    const { authHash, signHash } = await registeredServer(sb, 0);
    const regMs = Date.now() - t0;
    expect(regMs).toBeLessThan(20_000);

    const cert = await api('GET', `/token-certificates/${authHash}`);
    expect(cert.json).toMatchObject({ status: 'REGISTERED', active: true, ocsp_status: 'OCSP_RESPONSE_GOOD' });
    expect(cert.json.possible_actions).toEqual(expect.arrayContaining(['UNREGISTER', 'DISABLE']));
    expect((await api('GET', `/token-certificates/${signHash}`)).json).toMatchObject({ status: 'REGISTERED', active: true, owner_id: ss.ownerId });
    // owner became REGISTERED with the auth cert
    const owner = await api('GET', `/clients/${ss.ownerId}`);
    expect(owner.json).toMatchObject({ status: 'REGISTERED', owner: true, has_valid_local_sign_cert: true });
    expect((await api('GET', '/certificate-authorities?key_usage_type=SIGNING')).json.map((c: { name: string }) => c.name)).toContain(CA);
    const fields = await api('GET', `/certificate-authorities/${encodeURIComponent(CA)}/csr-subject-fields?key_usage_type=SIGNING&member_id=${ss.ownerId}`);
    expect(fields.json.map((f: { id: string }) => f.id)).toEqual(['C', 'O', 'CN']);
    const basic = await api('GET', `/certificate-authorities/${encodeURIComponent('Sandbox Basic CA')}/csr-subject-fields?key_usage_type=AUTHENTICATION`);
    expect(basic.json.map((f: { id: string }) => f.id)).toEqual(['C', 'O', 'serialNumber', 'CN']);

    // CS side view
    const authCerts = await csApi('GET', `/security-servers/${ss.serverId}/authentication-certificates`);
    expect(authCerts.json.map((c: { hash: string }) => c.hash)).toContain(authHash);
    expect((await csApi('GET', `/security-servers/${ss.serverId}`)).json.server_address).toBe(ss.address);

    // client add → register → approve → REGISTERED
    const sub = `${ss.ownerId}:PERSONS`;
    const add = await api('POST', '/clients', {
      client: { member_class: 'GOV', member_code: ss.ownerId!.split(':')[2], subsystem_code: 'PERSONS', subsystem_name: 'Persons', connection_type: 'HTTPS' },
      ignore_warnings: false,
    });
    expect(add.status, add.text).toBe(201);
    expect(add.json.status).toBe('SAVED');
    expect((await api('PUT', `/clients/${sub}/register`)).status).toBe(204);
    expect((await api('GET', `/clients/${sub}`)).json.status).toBe('REGISTRATION_IN_PROGRESS');
    await approveWaiting(sb, 'CLIENT_REGISTRATION_REQUEST');
    await sb.waitForGlobalConf();
    expect((await api('GET', `/clients/${sub}`)).json.status).toBe('REGISTERED');

    // service descriptions
    const sd = await api('POST', `/clients/${sub}/service-descriptions`, {
      url: 'https://is.example.org/openapi.yaml',
      type: 'OPENAPI3',
      rest_service_code: 'persons',
      ignore_warnings: false,
    });
    expect(sd.status, sd.text).toBe(201);
    expect(sd.json).toMatchObject({ type: 'OPENAPI3', disabled: true, disabled_notice: 'Out of order' });
    const rest = await api('POST', `/clients/${sub}/service-descriptions`, { url: 'http://is.example.org/rest', type: 'REST', rest_service_code: 'tax' });
    expect(rest.status).toBe(201);
    const wsdl = await api('POST', `/clients/${sub}/service-descriptions`, { url: 'http://is.example.org/services/getRandom.wsdl', type: 'WSDL' });
    expect(wsdl.status).toBe(201);
    expect(wsdl.json.services[0].service_code).toBe('getRandom');
    expect((await api('PUT', `/service-descriptions/${sd.json.id}/enable`)).status).toBe(real('enableServiceDescription', 204));
    const serviceId = `${sub}:persons`;
    const patched = await api('PATCH', `/services/${serviceId}`, { url: 'https://is.example.org/v2', timeout: 30, ssl_auth: true });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ timeout: 30, url: 'https://is.example.org/v2' });
    const ep = await api('POST', `/services/${serviceId}/endpoints`, { method: 'GET', path: '/persons/{id}', service_code: 'persons' });
    expect(ep.status, ep.text).toBe(201);
    expect((await api('GET', `/endpoints/${ep.json.id}`)).json.path).toBe('/persons/{id}');

    // local group + access rights (service-centric and service-client-centric)
    const lg = await api('POST', `/clients/${sub}/local-groups`, { code: 'staff', description: 'Staff' });
    expect(lg.status).toBe(201);
    expect((await api('POST', `/local-groups/${lg.json.id}/members`, { items: [sub] })).status).toBe(201);
    const grant = await api('POST', `/services/${serviceId}/service-clients`, {
      items: [{ id: sub }, { id: 'DEV:security-server-owners' }, { id: lg.json.id }],
    });
    expect(grant.status, grant.text).toBe(real('addServiceServiceClients', 201));
    expect(grant.json.map((x: { service_client_type: string }) => x.service_client_type).sort()).toEqual(['GLOBALGROUP', 'LOCALGROUP', 'SUBSYSTEM']);
    const dup = await api('POST', `/services/${serviceId}/service-clients`, { items: [{ id: sub }] });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('duplicate_accessright');
    const ar = await api('POST', `/clients/${sub}/service-clients/${encodeURIComponent(sub)}/access-rights`, { items: [{ service_code: 'tax' }] });
    expect(ar.status, ar.text).toBe(201);
    expect((await api('GET', `/clients/${sub}/service-clients/${sub}/access-rights`)).json.map((a: { service_code: string }) => a.service_code).sort()).toEqual(
      ['persons', 'tax'],
    );
    expect((await api('GET', `/clients/${sub}/service-clients`)).json.length).toBe(3);
    expect((await api('GET', `/services/${serviceId}/service-clients`)).json.length).toBe(3);
    expect((await api('GET', `/clients/${sub}/service-client-candidates`)).status).toBe(200);

    // timestamping + diagnostics + system
    const tsa = (await api('GET', '/timestamping-services')).json[0];
    expect((await api('POST', '/system/timestamping-services', tsa)).status).toBe(201);
    for (const p of [
      '/diagnostics/globalconf',
      '/diagnostics/ocsp-responders',
      '/diagnostics/timestamping-services',
      '/diagnostics/auth-cert-req-status',
      '/system/version',
      '/system/server-address',
      '/tokens',
      '/clients',
      '/initialization/status',
      '/diagnostics/global-conf-status',
      '/diagnostics/addon-status',
      '/diagnostics/message-log-encryption-status',
      '/diagnostics/backup-encryption-status',
      '/diagnostics/proxy-memory-usage-status',
      '/diagnostics/info/download',
      `/diagnostics/other-security-server-status?protocol_type=REST&client_id=${ss.ownerId}&target_client_id=${sub}&security_server_id=${ss.serverId}`,
      '/backups',
      '/system/certificate',
      '/mail/mail-notification-status',
      '/certificate-authorities/ocsp-prioritization-strategy',
      '/system/timestamping-services/prioritization-strategy',
      '/system/maintenance-mode',
      '/system/node-type',
      '/xroad-instances',
      '/member-classes',
      '/security-servers',
      `/security-servers/${ss.serverId}`,
      '/system/anchor',
      '/timestamping-services',
      '/system/timestamping-services',
      `/clients/${sub}/sign-certificates`,
      `/clients/${sub}/security-servers`,
      `/clients/${sub}/tls-certificates`,
      `/clients/${sub}/local-groups`,
      `/clients/${sub}/service-descriptions`,
      `/clients/${ss.ownerId}/orphans`,
      `/keys/${(await api('GET', '/tokens')).json[0].keys[0].id}/possible-actions`,
      `/token-certificates/${authHash}/possible-actions`,
      `/service-descriptions/${sd.json.id}/services`,
      `/endpoints/${ep.json.id}/service-clients`,
      `/certificate-authorities/${encodeURIComponent(CA)}/has-acme-eab-credentials?key_usage_type=AUTHENTICATION`,
    ]) {
      expect((await api('GET', p)).status, p).toBe(200);
    }
    expect((await api('GET', '/diagnostics/globalconf')).json.status_class).toBe('OK');
    for (const p of [
      '/system/status',
      '/system/version',
      '/members/' + ss.ownerId,
      '/security-servers',
      '/certification-services',
      '/management-requests?limit=5&offset=0&sort=created_at&desc=true',
      '/clients?limit=50',
      `/security-servers/${ss.serverId}/clients`,
      '/management-requests/1',
      '/initialization/status',
      '/system/high-availability-cluster/status',
      '/member-classes',
      `/members/${ss.ownerId}/subsystems`,
      `/members/${ss.ownerId}/owned-servers`,
      `/members/${ss.ownerId}/used-servers`,
      `/members/${ss.ownerId}/global-groups`,
      '/certification-services/1',
      '/certification-services/1/certificate',
      '/certification-services/1/ocsp-responders',
      '/certification-services/1/intermediate-cas',
      '/global-groups',
      '/global-groups/security-server-owners',
      '/configuration-sources/INTERNAL/anchor',
      '/configuration-sources/INTERNAL/anchor/download',
      '/configuration-sources/INTERNAL/download-url',
    ]) {
      expect((await csApi('GET', p)).status, p).toBe(200);
    }

    // CS: members and subsystems
    expect((await csApi('POST', '/members', { member_name: 'Tax Board', member_id: { member_class: 'GOV', member_code: '5678' } })).status).toBe(201);
    expect(
      (await csApi('POST', '/subsystems', { subsystem_name: 'Tax', subsystem_id: { member_class: 'GOV', member_code: '5678', subsystem_code: 'TAX' } })).status,
    ).toBe(201);
    expect((await csApi('GET', '/members/DEV:GOV:5678/subsystems')).json[0].subsystem_id.encoded_id).toBe('DEV:GOV:5678:TAX');
    await sb.waitForGlobalConf();
    const ext = await api('POST', `/services/${serviceId}/service-clients`, { items: [{ id: 'DEV:GOV:5678:TAX' }] });
    expect(ext.status, ext.text).toBe(real('addServiceServiceClients', 201));

    // no PIN or API key in the request log, even with bodies recorded
    const logText = JSON.stringify(sb.requests());
    for (const secret of [ss.tokenPin!, ...Object.values(ss.apiKeys), ...Object.values(cs.apiKeys), sb.controlToken]) expect(logText).not.toContain(secret);

    // validate everything that was recorded
    const problems: string[] = [];
    const log = sb.requests();
    expect(log.length).toBeGreaterThan(60);
    for (const e of log) {
      if (!e.operationId) continue;
      problems.push(...check.entry(e));
    }
    expect(problems).toEqual([]);
    // the deviations are really answered in the default mode, and only there
    const statuses = new Set(log.map((e) => `${e.operationId} ${e.status}`));
    expect(statuses.has(`addKeyAndCsr ${mode === 'real' ? 200 : 201}`)).toBe(true);
    expect(statuses.has(`registerCertificate ${mode === 'real' ? 204 : 200}`)).toBe(true);
    expect(statuses.has(`enableServiceDescription ${mode === 'real' ? 200 : 204}`)).toBe(true);
  });

  it('declined registration stays REGISTRATION_IN_PROGRESS; CS-side auth cert deletion turns REGISTERED into GLOBAL_ERROR', async () => {
    const ss = sb.ss[1]!;
    const api = ssApi(ss);
    const { authHash } = await registeredServer(sb, 1);
    // a second auth cert, registration declined at the CS
    const second = await keyCsrSignImport(sb, 1, 'AUTHENTICATION');
    expect((await api('PUT', `/token-certificates/${second.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
    const cs = sb.cs;
    const list = await call(cs.url, cs.apiKeys.admin, 'GET', `/management-requests?status=WAITING&server_id=${ss.serverId}`);
    const decl = await call(cs.url, cs.apiKeys.admin, 'DELETE', `/management-requests/${list.json.items[0].id}`);
    expect(decl.status).toBe(real('revokeManagementRequest', 204, 'cs'));
    const again = await call(cs.url, cs.apiKeys.admin, 'POST', `/management-requests/${list.json.items[0].id}/approval`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('management_request_invalid_state_for_approval');
    await sb.waitForGlobalConf();
    expect((await api('GET', `/token-certificates/${second.hash}`)).json.status).toBe('REGISTRATION_IN_PROGRESS');
    // CS deletes the registered one
    const certs = await call(cs.url, cs.apiKeys.admin, 'GET', `/security-servers/${ss.serverId}/authentication-certificates`);
    const id = certs.json.find((c: { hash: string }) => c.hash === authHash).id;
    expect((await call(cs.url, cs.apiKeys.admin, 'DELETE', `/security-servers/${ss.serverId}/authentication-certificates/${id}`)).status).toBe(204);
    await sb.waitForGlobalConf();
    expect((await api('GET', `/token-certificates/${authHash}`)).json.status).toBe('GLOBAL_ERROR');
    // §5: no usable auth cert → X-Road-message management requests fail
    expect((await api('POST', '/clients', { client: { member_class: 'GOV', member_code: ss.ownerId!.split(':')[2], subsystem_code: 'X' } })).status).toBe(201);
    const reg = await api('PUT', `/clients/${ss.ownerId}:X/register`);
    expect(reg.status).toBe(500);
    expect(reg.json.error.code).toBe('management_request_sending_failed');
    // recovery path: mark-for-deletion then delete
    expect((await api('PUT', `/token-certificates/${second.hash}/mark-for-deletion`)).status).toBe(204);
    expect((await api('DELETE', `/token-certificates/${second.hash}`)).status).toBe(204);
    // delete auth key with a registered cert needs ignore_warnings
    const k = await keyCsrSignImport(sb, 1, 'AUTHENTICATION');
    expect(k.keyId).toBeTruthy();
  });

  it('revocation at the CA changes ocsp_status; activation checks OCSP', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    const k = await keyCsrSignImport(sb, 0, 'SIGNING', ss.ownerId);
    expect((await api('GET', `/token-certificates/${k.hash}`)).json.ocsp_status).toBe('OCSP_RESPONSE_GOOD');
    expect(sb.ca.revoke(k.hash)).toBe(true);
    expect((await api('GET', `/token-certificates/${k.hash}`)).json.ocsp_status).toBe('OCSP_RESPONSE_REVOKED');
    expect((await api('PUT', `/token-certificates/${k.hash}/disable`)).status).toBe(204);
    const act = await api('PUT', `/token-certificates/${k.hash}/activate`);
    expect(act.status).toBe(500);
    expect((await api('GET', `/token-certificates/${k.hash}`)).json.ocsp_verify_before_activation_error).toMatch(/OCSP/);
  });

  it('short-lived certs expire when the clock moves', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    const kc = await api('POST', '/tokens/0/keys-with-csrs', {
      key_label: 'short',
      csr_generate_request: { key_usage_type: 'SIGNING', ca_name: CA, csr_format: 'PEM', member_id: ss.ownerId, subject_field_values: {} },
    });
    const csr = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}`);
    const pem = sb.ca.sign(csr.text, { usage: 'SIGNING', validityDays: 2 });
    const imp = await api('POST', '/token-certificates', Buffer.from(pem), 'application/octet-stream');
    expect(imp.json.ocsp_status).toBe('OCSP_RESPONSE_GOOD');
    sb.clock.advance(3 * 86_400_000);
    await until(
      () => api('GET', `/token-certificates/${imp.json.certificate_details.hash}`),
      (r) => r.json.ocsp_status === 'EXPIRED',
    );
    sb.clock.set(new Date());
  });
});
