/**
 * The sequence of NIIS's API-driven X-Road setup (the X-Road repository's development/hurl/scenarios/setup.hurl),
 * in this project's own terms, against `--preset blank`: CS initialisation, member classes, members, an approved CA
 * with OCSP and a TSA, SS initialisation, keys/CSRs/import/register/approval/activation, the management subsystem,
 * clients, services and access. The CA is the product's own (src/pki), its OCSP responder a node server on
 * 127.0.0.1 answering with src/pki's signed responses. Steps that need the admin UI's form login, an HSM or the
 * message proxy are named as skipped, with why. Every exchange is validated (default mode: with the deviations).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/pki/ca.js';
import { buildOcspResponse } from '../../src/pki/ocsp.js';
import { createCsr } from '../../src/pki/csr.js';
import { generateRsaKeyPair } from '../../src/pki/keys.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents, multipart, real, until } from './helpers.js';
import { sandboxConformance } from './conformance-support.js';

const FIVRK = 'ee.ria.xroad.common.certificateprofile.impl.FiVRKCertificateProfileInfoProvider';
let sb: SandboxHandle;
let ca: CertificateAuthority;
let tsaPem = '';
let ocsp: Server;
let ocspUrl = '';

beforeAll(async () => {
  ca = CertificateAuthority.create('NIIS-style Test CA');
  // the TSA's certificate: issued by the test CA (with a SAN: CertificateDetails requires subject_alternative_names)
  const tsaKey = generateRsaKeyPair(2048);
  tsaPem = ca.signCsr(createCsr(tsaKey.privateKeyPem, { subject: [{ name: 'CN', value: 'NIIS-style Test TSA' }], san: ['tsa.sandbox.local'] }).pem, {
    usage: 'sign',
  });
  ocsp = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      buildOcspResponse({ request: Buffer.concat(chunks), responderCert: ca.certPem, responderKeyPem: ca.keyPem, statusFor: (s) => ca.status(s) })
        .then((der) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(der))
        .catch(() => res.writeHead(400).end());
    });
  });
  await new Promise<void>((resolve) => ocsp.listen(0, '127.0.0.1', () => resolve()));
  const a = ocsp.address();
  ocspUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/ocsp`;
  sb = await startSandbox({ securityServers: 1, gcIntervalMs: 100, rateLimit: false, preset: 'blank', record: true });
});
afterAll(async () => {
  await sb?.stop();
  await new Promise<void>((resolve) => ocsp?.close(() => resolve()));
  closeAgents();
});

const skipped: Array<{ step: string; why: string }> = [];
const skip = (step: string, why: string) => skipped.push({ step, why });

describe("NIIS's setup sequence against --preset blank", () => {
  it('runs end to end: CS, CA with OCSP and TSA, SS, certificates, management services, access', async () => {
    const ss = sb.ss[0]!;
    const cs = (m: string, p: string, b?: unknown, ct?: string) => call(sb.cs.url, sb.cs.apiKeys.admin, m, p, b, { contentType: ct });
    const api = (m: string, p: string, b?: unknown, ct?: string) => call(ss.url, ss.apiKeys.admin, m, p, b, { contentType: ct });
    const [, cls, code, serverCode] = ss.serverId!.split(':') as [string, string, string, string];
    const pin = 'Setup-Pin-1234';

    // ---------- Central Server ----------
    skip('GET / and POST /login on the CS', 'the admin UI and its form login: API keys authenticate here');
    expect(
      (await cs('POST', '/initialization', { instance_identifier: 'DEV', central_server_address: 'cs.sandbox.local', software_token_pin: pin })).status,
    ).toBe(real('initCentralServer', 201, 'cs'));
    for (const [c, d] of [
      ['GOV', 'Government'],
      ['COM', 'Commercial'],
      ['ORG', 'Non-profit'],
    ])
      expect((await cs('POST', '/member-classes', { code: c, description: d })).status).toBe(201);
    expect((await cs('PUT', '/tokens/0/login', { password: pin })).json.logged_in).toBe(true);
    for (const source of ['INTERNAL', 'EXTERNAL']) {
      const key = await cs('POST', `/configuration-sources/${source}/signing-keys`, { key_label: `${source.toLowerCase()} signing key`, token_id: '0' });
      expect(key.status, key.text).toBe(real('addKey', 201, 'cs'));
      expect(key.json).toMatchObject({ active: true, source_type: source }); // the first key of a source is active
    }
    expect((await cs('POST', '/members', { member_name: 'Management Owner', member_id: { member_class: cls, member_code: code } })).status).toBe(201);
    expect((await cs('POST', '/members', { member_name: 'Other Member', member_id: { member_class: 'COM', member_code: '2001' } })).status).toBe(201);
    expect(
      (await cs('POST', '/subsystems', { subsystem_name: 'Management', subsystem_id: { member_class: cls, member_code: code, subsystem_code: 'MANAGEMENT' } }))
        .status,
    ).toBe(201);
    const mgmtId = `DEV:${cls}:${code}:MANAGEMENT`;
    expect((await cs('PATCH', '/management-services-configuration', { service_provider_id: mgmtId })).json.service_provider_id).toBe(mgmtId);
    const form = multipart([
      { name: 'certificate', value: Buffer.from(ca.certPem), filename: 'ca.pem' },
      { name: 'certificate_profile_info', value: FIVRK },
      { name: 'tls_auth', value: 'false' },
      { name: 'default_csr_format', value: 'PEM' },
    ]);
    const added = await cs('POST', '/certification-services', form.body, form.ct);
    expect(added.status, added.text).toBe(201);
    const ocspForm = multipart([
      { name: 'url', value: ocspUrl },
      { name: 'cost_type', value: 'FREE' },
    ]);
    expect((await cs('POST', `/certification-services/${added.json.id}/ocsp-responders`, ocspForm.body, ocspForm.ct)).status).toBe(201);
    const tsaForm = multipart([
      { name: 'url', value: 'http://127.0.0.1:9/tsa' },
      { name: 'cost_type', value: 'FREE' },
      { name: 'certificate', value: Buffer.from(tsaPem), filename: 'tsa.pem' },
    ]);
    expect((await cs('POST', '/timestamping-services', tsaForm.body, tsaForm.ct)).status).toBe(201);
    const anchor = await cs('GET', '/configuration-sources/INTERNAL/anchor/download');
    expect(anchor.status).toBe(200);

    // ---------- the management Security Server ----------
    skip('GET / and POST /login on the SS', 'the admin UI and its form login: API keys authenticate here');
    expect((await api('POST', '/system/anchor', anchor.buf, 'application/octet-stream')).status).toBe(201);
    await sb.waitForGlobalConf();
    const init = await api('POST', '/initialization', {
      owner_member_class: cls,
      owner_member_code: code,
      security_server_code: serverCode,
      software_token_pin: pin,
      ignore_warnings: true,
    });
    expect(init.status, init.text).toBe(201);
    expect((await api('PUT', '/tokens/0/login', { password: pin })).status).toBe(200);
    const cas = await api('GET', '/certificate-authorities');
    expect(cas.json.map((c: { name: string }) => c.name)).toContain('NIIS-style Test CA');
    const newCert = async (usage: 'AUTHENTICATION' | 'SIGNING') => {
      const values =
        usage === 'AUTHENTICATION'
          ? { O: 'Management Owner', CN: ss.address!, subjectAltName: ss.address! }
          : { O: 'Management Owner', subjectAltName: ss.address! };
      const kc = await api('POST', '/tokens/0/keys-with-csrs', {
        key_label: usage.toLowerCase(),
        csr_generate_request: {
          key_usage_type: usage,
          ca_name: 'NIIS-style Test CA',
          csr_format: 'PEM',
          ...(usage === 'SIGNING' ? { member_id: ss.ownerId } : {}),
          subject_field_values: values,
        },
      });
      expect(kc.status, kc.text).toBe(real('addKeyAndCsr', 201));
      const csr = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`);
      expect(csr.status).toBe(real('downloadCsr', 201));
      const pem = ca.signCsr(csr.text, { usage: usage === 'AUTHENTICATION' ? 'auth' : 'sign' });
      const imp = await api('POST', '/token-certificates', Buffer.from(pem), 'application/octet-stream');
      expect(imp.status, imp.text).toBe(201);
      return imp.json.certificate_details.hash as string;
    };
    const authHash = await newCert('AUTHENTICATION');
    const signHash = await newCert('SIGNING');
    const signView = (await api('GET', `/token-certificates/${signHash}`)).json;
    expect(signView, JSON.stringify(signView.ocsp_verify_before_activation_error)).toMatchObject({ status: 'REGISTERED', active: true });
    expect((await api('PUT', `/token-certificates/${authHash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
    const waiting = await cs('GET', '/management-requests?sort=id&desc=true&status=WAITING');
    const req = waiting.json.items.find((r: { type: string }) => r.type === 'AUTH_CERT_REGISTRATION_REQUEST');
    expect((await cs('POST', `/management-requests/${req.id}/approval`)).json.status).toBe('APPROVED');
    const provider = await cs('POST', '/management-services-configuration/register-provider', { security_server_id: ss.serverId });
    expect(provider.status, provider.text).toBe(200);
    expect(
      (await api('POST', '/clients', { client: { member_class: cls, member_code: code, subsystem_code: 'MANAGEMENT' }, ignore_warnings: true })).status,
    ).toBe(201);
    const mgmt = await cs('GET', '/management-services-configuration');
    expect(mgmt.json).toMatchObject({ service_provider_id: mgmtId, security_server_id: ss.serverId });
    const sd = await api('POST', `/clients/${mgmtId}/service-descriptions`, { url: mgmt.json.wsdl_address, type: 'WSDL', ignore_warnings: true });
    expect(sd.status, sd.text).toBe(201);
    const service = sd.json.services[0];
    expect(
      (
        await api('PATCH', `/services/${service.id}`, {
          url: mgmt.json.services_address,
          timeout: 60,
          ssl_auth: false,
          url_all: true,
          timeout_all: true,
          ssl_auth_all: true,
        })
      ).status,
    ).toBe(200);
    const access = await api('POST', `/clients/${mgmtId}/service-clients/DEV:security-server-owners/access-rights`, {
      items: [{ service_code: service.service_code }],
    });
    expect(access.status, access.text).toBe(201);
    expect((await api('PUT', `/service-descriptions/${sd.json.id}/enable`)).status).toBe(real('enableServiceDescription', 204));
    await until(
      () => api('GET', `/token-certificates/${authHash}`),
      (r) => r.json?.status === 'REGISTERED',
    );
    expect((await api('PUT', `/token-certificates/${authHash}/activate`)).status).toBe(204);
    const tsas = await api('GET', '/timestamping-services');
    const theTsa = tsas.json.find((t: { url: string }) => t.url === 'http://127.0.0.1:9/tsa');
    expect(theTsa).toBeDefined();
    expect((await api('POST', '/system/timestamping-services', theTsa)).status).toBe(201);
    await sb.waitForGlobalConf();
    expect((await api('GET', `/clients/${mgmtId}`)).json.status).toBe('REGISTERED');
    expect((await api('GET', `/clients/${ss.ownerId}`)).json).toMatchObject({ status: 'REGISTERED', has_valid_local_sign_cert: true });
    expect((await api('GET', `/token-certificates/${authHash}`)).json).toMatchObject({ status: 'REGISTERED', active: true, ocsp_status: 'OCSP_RESPONSE_GOOD' });
    skip('a second security server (SS1) and its clients', 'the same steps again: covered by the first; the sandbox runs one SS here');
    skip('HSM tokens', 'the sandbox has only the software token 0');
    skip('test-proxy-rest.hurl, test-proxy-soap.hurl', 'X-Road messages need the message proxy, which the sandbox does not simulate');

    // the rehearsal referee saw a clean setup, and every exchange conforms
    expect(sb.outages()).toEqual([]);
    const check = await sandboxConformance('real');
    // every exchange must conform
    const problems = sb
      .requests()
      .filter((e) => e.operationId && e.status !== 501)
      .flatMap((e) => check.entry(e));
    expect(problems, problems.join('\n')).toEqual([]);
    console.log(`NIIS setup sequence: skipped ${skipped.length} steps:\n${skipped.map((s) => `  - ${s.step}: ${s.why}`).join('\n')}`);
    expect(skipped.map((s) => s.step)).toContain('test-proxy-rest.hurl, test-proxy-soap.hurl');
  });
});
