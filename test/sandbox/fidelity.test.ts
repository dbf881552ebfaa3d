/**
 * Issue 14: a client written elsewhere (UUID keys, GET /user as a probe, Spring-style parameters) works against
 * the sandbox as against a real X-Road 7.8 server. One test per item; every one failed on the sandbox before.
 */
import { X509Certificate } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { parseCsr } from '../../src/pki/csr.js';
import { NOT_MODELLED } from '../../src/sandbox/not-modelled.js';
import { untar } from '../../src/sandbox/tar.js';
import { call, closeAgents, multipart, real, until } from './helpers.js';
import { sandboxConformance, type SandboxConformance } from './conformance-support.js';
import { approveWaiting, CA, keyCsrSignImport, ssApi } from './scenario.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sb: SandboxHandle;
let check: SandboxConformance;
const problems: string[] = [];
beforeAll(async () => {
  [sb, check] = await Promise.all([
    startSandbox({ securityServers: 2, gcIntervalMs: 100, rateLimit: false, preset: 'initialized' }),
    sandboxConformance('real'),
  ]);
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

/** call and validate the answer against the spec (default mode: with the deviations table) */
async function checked(server: 'cs' | number, method: string, path: string, body?: unknown, opts: { key?: string; contentType?: string } = {}) {
  const info = server === 'cs' ? sb.cs : sb.ss[server]!;
  const r = await call(info.url, opts.key ?? info.apiKeys.admin, method, path, body, { contentType: opts.contentType });
  const ct = r.headers['content-type']?.toString().split(';')[0];
  problems.push(
    ...check.response(
      server === 'cs' ? 'cs' : 'ss',
      method,
      `/api/v1${path}`,
      r.status,
      r.buf.length ? (ct?.includes('json') ? r.json : r.buf) : undefined,
      ct,
    ),
  );
  return r;
}

async function login(i: number): Promise<void> {
  await sb.waitForGlobalConf();
  const r = await ssApi(sb.ss[i]!)('PUT', '/tokens/0/login', { password: sb.ss[i]!.tokenPin });
  expect([200, 409]).toContain(r.status);
}
/** an initialized-preset SS to a working one: sign cert, auth cert registered, approved, active */
async function workingServer(i: number): Promise<void> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  await login(i);
  await keyCsrSignImport(sb, i, 'SIGNING', ss.ownerId);
  const auth = await keyCsrSignImport(sb, i, 'AUTHENTICATION');
  expect((await api('PUT', `/token-certificates/${auth.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
  await approveWaiting(sb, 'AUTH_CERT_REGISTRATION_REQUEST');
  await until(
    () => api('GET', `/token-certificates/${auth.hash}`),
    (r) => r.json?.status === 'REGISTERED',
  );
  expect((await api('PUT', `/token-certificates/${auth.hash}/activate`)).status).toBe(204);
}

describe('issue 14 fidelity', () => {
  it('1. API keys are UUIDs (ApiKeyService: UUID.randomUUID())', () => {
    for (const info of [sb.cs, ...sb.ss]) for (const key of Object.values(info.apiKeys)) expect(key).toMatch(UUID);
  });

  it("2. GET /user on SS and CS: the key's username, roles and permissions (common admin API getUser)", async () => {
    const obs = await checked(0, 'GET', '/user', undefined, { key: sb.ss[0]!.apiKeys.XROAD_SECURITYSERVER_OBSERVER });
    expect(obs.status).toBe(200);
    expect(obs.json.roles).toEqual(['XROAD_SECURITYSERVER_OBSERVER']);
    expect(obs.json.username).toMatch(/^api-key-\d+$/);
    expect(obs.json.permissions).toContain('getTokens');
    expect(obs.json.permissions).not.toContain('addKey');
    const admin = await checked('cs', 'GET', '/user');
    expect(admin.status).toBe(200);
    expect(admin.json.roles).toEqual(['XROAD_MANAGEMENT_SERVICE', 'XROAD_REGISTRATION_OFFICER', 'XROAD_SECURITY_OFFICER', 'XROAD_SYSTEM_ADMINISTRATOR']);
    expect(admin.json.permissions).toContain('approveManagementRequest');
    expect((await call(sb.cs.url, undefined, 'GET', '/user')).status).toBe(401);
  });

  it('3. Spring-style scalars: booleans in any case and on/off, yes/no, 1/0; integers with sign and spaces', async () => {
    for (const v of ['True', 'TRUE', 'on', 'YES', '1']) expect((await checked(0, 'GET', `/security-servers?current_server=${v}`)).status, v).toBe(200);
    for (const v of ['False', 'off', 'No', '0']) expect((await checked(0, 'GET', `/clients?show_members=${v}`)).status, v).toBe(200);
    const bad = await call(sb.ss[0]!.url, sb.ss[0]!.apiKeys.admin, 'GET', '/security-servers?current_server=maybe');
    expect([bad.status, bad.json.error.code]).toEqual([400, 'validation_failure']);
    expect((await checked('cs', 'GET', '/management-requests?desc=TRUE&limit=%2B5&offset=0')).status).toBe(200);
    const mr = await call(sb.cs.url, sb.cs.apiKeys.admin, 'GET', '/management-requests/%2B999');
    expect([mr.status, mr.json.error.code]).toEqual([404, 'management_request_not_found']); // +999 is a number, just unknown
  });

  it('4. GET /security-servers?current_server=true answers the own id from local configuration before registration', async () => {
    const r = await checked(1, 'GET', '/security-servers?current_server=true');
    expect(r.json).toEqual([{ id: sb.ss[1]!.serverId, instance_id: 'DEV', member_class: 'GOV', member_code: '1002', server_code: 'SS2' }]);
    expect((await checked(1, 'GET', '/security-servers')).json).toEqual([]); // not in globalconf yet
  });

  it('5. default mode answers the real statuses; --strict-spec exactly the spec', async () => {
    const api = ssApi(sb.ss[0]!);
    await login(0);
    const body = {
      key_label: 'st',
      csr_generate_request: { key_usage_type: 'SIGNING', ca_name: CA, csr_format: 'PEM', member_id: sb.ss[0]!.ownerId, subject_field_values: {} },
    };
    const kc = await api('POST', '/tokens/0/keys-with-csrs', body);
    expect(kc.status).toBe(200);
    expect((await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}`)).status).toBe(200);
    const strict = await startSandbox({ securityServers: 1, gcIntervalMs: 100, rateLimit: false, preset: 'initialized', strictSpec: true });
    try {
      const sapi = ssApi(strict.ss[0]!);
      await strict.waitForGlobalConf();
      expect((await sapi('PUT', '/tokens/0/login', { password: strict.ss[0]!.tokenPin })).status).toBe(200);
      const skc = await sapi('POST', '/tokens/0/keys-with-csrs', {
        ...body,
        csr_generate_request: { ...body.csr_generate_request, member_id: strict.ss[0]!.ownerId },
      });
      expect(skc.status).toBe(201);
      expect((await sapi('GET', `/keys/${skc.json.key.id}/csrs/${skc.json.csr_id}`)).status).toBe(201);
    } finally {
      await strict.stop();
    }
  });

  it('6. GET /clients/{id}/local-groups always includes members', async () => {
    const api = ssApi(sb.ss[0]!);
    const owner = sb.ss[0]!.ownerId!;
    expect((await api('POST', `/clients/${owner}/local-groups`, { code: 'readers', description: 'Readers' })).status).toBe(201);
    const r = await checked(0, 'GET', `/clients/${owner}/local-groups`);
    expect(r.json).toEqual([expect.objectContaining({ code: 'readers', member_count: 0, members: [] })]);
  });

  it('7a. SS internal TLS certificate: generate, export (tar.gz of PEM and DER), CSR, import of a cert for that key', async () => {
    const before = await checked(0, 'GET', '/system/certificate');
    expect((await checked(0, 'POST', '/system/certificate')).status).toBe(204);
    const after = await checked(0, 'GET', '/system/certificate');
    expect(after.json.hash).not.toBe(before.json.hash);
    const exp = await checked(0, 'GET', '/system/certificate/export');
    expect(exp.headers['content-type']).toBe('application/gzip');
    const files = untar(gunzipSync(exp.buf));
    expect(new X509Certificate(files.get('cert.cer')!).fingerprint256.replace(/:/g, '')).toBe(after.json.hash);
    expect(files.get('cert.pem')!.toString()).toContain('BEGIN CERTIFICATE');
    const csr = await checked(0, 'POST', '/system/certificate/csr', { name: 'CN=ss1.example.org, O=Sandbox' });
    expect(csr.status).toBe(real('generateSystemCertificateRequest', 201));
    expect(parseCsr(csr.buf).subject).toEqual([
      { name: 'CN', value: 'ss1.example.org' },
      { name: 'O', value: 'Sandbox' },
    ]);
    const pem = sb.ca.sign(csr.buf, { usage: 'AUTHENTICATION' });
    const imp = await checked(0, 'POST', '/system/certificate/import', Buffer.from(pem), { contentType: 'application/octet-stream' });
    expect(imp.status, imp.text).toBe(200);
    expect((await checked(0, 'GET', '/system/certificate')).json.issuer_common_name).toMatch(/Sandbox CA/);
    // a certificate for another key is refused
    const wrong = await call(sb.ss[0]!.url, sb.ss[0]!.apiKeys.admin, 'POST', '/system/certificate/import', Buffer.from(sb.ca.certPem()), {
      contentType: 'application/octet-stream',
    });
    expect([wrong.status, wrong.json.error.code]).toEqual([400, 'keys_not_match']);
  });

  it('7b. backups: create, list, download, delete, restore; restoring an old one loses the working key (outage record)', async () => {
    const ss = sb.ss[1]!;
    const api = ssApi(ss);
    await login(1);
    const old = await checked(1, 'POST', '/backups');
    expect(old.status).toBe(201);
    expect(old.json.filename).toMatch(/^conf_backup_\d{8}-\d{6}(-\d+)?\.tar$/);
    // the server is set up after the backup: restoring it loses the keys
    await workingServer(1);
    await sb.waitForGlobalConf();
    expect(sb.outages().filter((o) => o.server === 'ss2')).toEqual([]);
    const list = await checked(1, 'GET', '/backups');
    expect(list.json.map((b: { filename: string }) => b.filename)).toContain(old.json.filename);
    const dl = await checked(1, 'GET', `/backups/${old.json.filename}/download`);
    expect(dl.status).toBe(200);
    expect(JSON.parse(untar(dl.buf).get('sandbox-backup.json')!.toString()).keys).toEqual([]);
    const spare = await checked(1, 'POST', '/backups');
    expect((await checked(1, 'DELETE', `/backups/${spare.json.filename}`)).status).toBe(204);
    expect((await checked(1, 'GET', `/backups/${spare.json.filename}/download`)).status).toBe(404);
    const restore = await checked(1, 'PUT', `/backups/${old.json.filename}/restore`);
    expect(restore.status).toBe(200);
    expect(restore.json).toEqual({ hsm_tokens_logged_out: false });
    expect((await api('GET', '/tokens')).json[0]).toMatchObject({ keys: [], logged_in: false });
    const lost = sb
      .outages()
      .filter((o) => o.server === 'ss2' && o.to === null)
      .map((o) => o.kind)
      .sort();
    expect(lost).toEqual(['auth', 'sign']);
  });

  it('7c. CS: management services, timestamping services, token login; unmodelled operations answer 501 naming themselves', async () => {
    const provider = `${sb.ss[1]!.ownerId}:MANAGEMENT`; // ss2 is registered (7b)
    const patch = await checked('cs', 'PATCH', '/management-services-configuration', { service_provider_id: provider });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.json).toMatchObject({ service_provider_id: provider, security_server_owners_global_group_code: 'security-server-owners' });
    const reg = await checked('cs', 'POST', '/management-services-configuration/register-provider', { security_server_id: sb.ss[1]!.serverId });
    expect(reg.status, reg.text).toBe(200);
    expect((await checked('cs', 'GET', '/management-services-configuration')).json.security_server_id).toBe(sb.ss[1]!.serverId);
    expect(
      (await checked('cs', 'GET', `/security-servers/${sb.ss[1]!.serverId}/clients`)).json.map(
        (c: { client_id: { encoded_id: string } }) => c.client_id.encoded_id,
      ),
    ).toContain(provider);
    // TSA
    const tsaCert = sb.ca.certPem();
    const form = multipart([
      { name: 'url', value: 'http://127.0.0.1:9/tsa' },
      { name: 'cost_type', value: 'FREE' },
      { name: 'certificate', value: Buffer.from(tsaCert), filename: 'tsa.pem' },
    ]);
    const tsa = await checked('cs', 'POST', '/timestamping-services', form.body, { contentType: form.ct });
    expect(tsa.status, tsa.text).toBe(201);
    expect((await checked('cs', 'GET', '/timestamping-services')).json.map((t: { url: string }) => t.url)).toEqual(['http://127.0.0.1:9/tsa']);
    await sb.waitForGlobalConf();
    expect((await checked(0, 'GET', '/timestamping-services')).json.map((t: { url: string }) => t.url)).toContain('http://127.0.0.1:9/tsa');
    // token
    expect((await checked('cs', 'PUT', '/tokens/0/logout')).json.logged_in).toBe(false);
    const badPin = await call(sb.cs.url, sb.cs.apiKeys.admin, 'PUT', '/tokens/0/login', { password: 'wrong' });
    expect(badPin.status).toBe(400);
    expect((await checked('cs', 'PUT', '/tokens/0/login', { password: sb.cs.tokenPin })).json.logged_in).toBe(true);
    // 501 naming the operation, not 404
    for (const n of NOT_MODELLED.slice(0, 8)) {
      const info = n.api === 'cs' ? sb.cs : sb.ss[0]!;
      const path = n.path.replace(/\{[a-z_]+\}/g, 'x');
      const r = await call(info.url, info.apiKeys.admin, n.method, path, n.method === 'GET' || n.method === 'DELETE' ? undefined : {});
      expect([r.status, r.json?.error?.code, r.json?.error?.metadata?.[0]], `${n.method} ${path}`).toEqual([501, 'not_modelled', n.operationId]);
    }
  });

  it('8. the certificate profiles X-Road 7.8 ships, FiVRK among them, each with its subject fields', async () => {
    const impl = 'ee.ria.xroad.common.certificateprofile.impl.';
    const want: Record<string, [string[], string[]]> = {
      FiVRKCertificateProfileInfoProvider: [
        ['C', 'O', 'serialNumber', 'CN', 'subjectAltName'],
        ['C', 'O', 'serialNumber', 'CN', 'subjectAltName'],
      ],
      BasicACMECertificateProfileInfoProvider: [
        ['C', 'O', 'serialNumber', 'CN', 'subjectAltName'],
        ['C', 'O', 'businessCategory', 'serialNumber', 'CN', 'subjectAltName'],
      ],
      FoCertificateProfileInfoProvider: [
        ['C', 'O', 'CN'],
        ['C', 'O', 'OU', 'CN', 'serialNumber'],
      ],
      IsCertificateProfileInfoProvider: [
        ['C', 'CN', 'serialNumber'],
        ['C', 'O', 'OU', 'CN', 'serialNumber'],
      ],
      SkKlass3CertificateProfileInfoProvider: [
        ['SN', 'CN'],
        ['SN', 'CN'],
      ],
      SkEsteIdCertificateProfileInfoProvider: [[], []],
      EjbcaCertificateProfileInfoProvider: [
        ['C', 'CN'],
        ['C', 'O', 'CN'],
      ],
      BasicCertificateProfileInfoProvider: [
        ['C', 'O', 'serialNumber', 'CN'],
        ['C', 'O', 'businessCategory', 'serialNumber', 'CN'],
      ],
    };
    const ss = sb.ss[0]!;
    const fields = (usage: string) =>
      checked(
        0,
        'GET',
        `/certificate-authorities/${encodeURIComponent('Sandbox Basic CA')}/csr-subject-fields?key_usage_type=${usage}&member_id=${ss.ownerId}`,
      );
    for (const [cls, [auth, sign]] of Object.entries(want)) {
      const p = await checked('cs', 'PATCH', '/certification-services/2', { certificate_profile_info: impl + cls });
      expect(p.status, `${cls}: ${p.text}`).toBe(200);
      await sb.waitForGlobalConf();
      expect(
        (await fields('AUTHENTICATION')).json.map((f: { id: string }) => f.id),
        cls,
      ).toEqual(auth);
      expect(
        (await fields('SIGNING')).json.map((f: { id: string }) => f.id),
        cls,
      ).toEqual(sign);
    }
    // FiVRK: C=FI and serialNumber INSTANCE/SERVERCODE/CLASS read-only; subjectAltName goes into the SAN extension
    await checked('cs', 'PATCH', '/certification-services/2', { certificate_profile_info: impl + 'FiVRKCertificateProfileInfoProvider' });
    const f = (await fields('AUTHENTICATION')).json;
    expect(f.find((x: { id: string }) => x.id === 'serialNumber')).toMatchObject({ default_value: 'DEV/SS1/GOV', read_only: true });
    const kc = await ssApi(ss)('POST', '/tokens/0/keys-with-csrs', {
      key_label: 'fi',
      csr_generate_request: {
        key_usage_type: 'AUTHENTICATION',
        ca_name: 'Sandbox Basic CA',
        csr_format: 'PEM',
        subject_field_values: { O: 'Sandbox Oy', CN: 'ss1.example.fi', subjectAltName: 'ss1.example.fi' },
      },
    });
    expect(kc.status, kc.text).toBe(real('addKeyAndCsr', 201));
    const csr = parseCsr((await ssApi(ss)('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`)).text);
    expect(csr.subject).toEqual([
      { name: 'C', value: 'FI' },
      { name: 'O', value: 'Sandbox Oy' },
      { name: 'serialNumber', value: 'DEV/SS1/GOV' },
      { name: 'CN', value: 'ss1.example.fi' },
    ]);
    expect(csr.san).toEqual(['ss1.example.fi']);
    await checked('cs', 'PATCH', '/certification-services/2', { certificate_profile_info: impl + 'BasicCertificateProfileInfoProvider' });
  });

  it('9. --preset blank: the CS really uninitialised (no member classes), real CS error codes; empty keeps an initialised CS', async () => {
    expect(
      (
        await call(sb.cs.url, sb.cs.apiKeys.admin, 'POST', '/initialization', {
          instance_identifier: 'DEV',
          central_server_address: 'cs.example.org',
          software_token_pin: 'Secret-1234',
        })
      ).json.error.code,
    ).toBe('init_already_initialized');
    const blank = await startSandbox({ securityServers: 1, gcIntervalMs: 100, rateLimit: false, preset: 'blank' });
    try {
      const cs = (m: string, p: string, b?: unknown) => call(blank.cs.url, blank.cs.apiKeys.admin, m, p, b);
      expect((await cs('GET', '/initialization/status')).json.software_token_init_status).toBe('NOT_INITIALIZED');
      expect((await cs('GET', '/member-classes')).json.error.code).toBe('init_not_initialized');
      const init = await cs('POST', '/initialization', {
        instance_identifier: 'DEV',
        central_server_address: 'cs.example.org',
        software_token_pin: 'Secret-1234',
      });
      expect(init.status, init.text).toBe(real('initCentralServer', 201, 'cs'));
      expect((await cs('GET', '/initialization/status')).json).toMatchObject({
        software_token_init_status: 'INITIALIZED',
        central_server_address: 'cs.example.org',
      });
      expect((await cs('GET', '/member-classes')).json).toEqual([]);
      expect((await cs('GET', '/members/DEV:GOV:1001')).status).toBe(404);
      const again = await cs('POST', '/initialization', {
        instance_identifier: 'DEV',
        central_server_address: 'cs.example.org',
        software_token_pin: 'Secret-1234',
      });
      expect([again.status, again.json.error.code]).toEqual([409, 'init_already_initialized']);
    } finally {
      await blank.stop();
    }
  });

  it('every answer above conforms (default mode: the spec plus exactly the deviations table)', () => {
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
