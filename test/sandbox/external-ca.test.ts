/**
 * External CAs: a throwaway `openssl ca` approved at the CS through POST /certification-services, its OCSP responder
 * (`openssl ocsp -reqin - -respout -` behind a node http server on 127.0.0.1, one process per request) registered;
 * the SS signs nothing itself: it checks the chain by signature and asks the responder for real.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents, multipart, real, until, type Res } from './helpers.js';
import { sandboxConformance, type SandboxConformance } from './conformance-support.js';
import { approveWaiting, initAndLogin, keyCsrSignImport } from './scenario.js';
import { startOpensslCa, type OpensslCa } from '../peer/support/openssl-ca.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const EJBCA_CLASS = 'ee.ria.xroad.common.certificateprofile.impl.EjbcaCertificateProfileInfoProvider';
const CA_CN = 'Ext Test CA';

let sb: SandboxHandle;
let dir: string;
/** the one OpenSSL CA harness of the tests (test/peer/support/openssl-ca.ts): `openssl ca`, and `openssl ocsp` per request */
let ca: OpensslCa;
let ocspUrl = '';
let check: SandboxConformance;
const problems: string[] = [];

/** call + validate request (JSON only: multipart bodies are checked by field) and response against the spec */
async function checked(server: 'cs' | 'ss', op: string, method: string, path: string, body?: unknown, ct?: string): Promise<Res> {
  const info = server === 'cs' ? sb.cs : sb.ss[0]!;
  const r = await call(info.url, info.apiKeys.admin, method, path, body, { contentType: ct });
  const full = `/api/v1${path}`;
  if (body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string')
    problems.push(...check.request(server, method, full, body, 'application/json').map((p) => `${op} request: ${p}`));
  if (r.status >= 400 && r.status < 500 && ![401, 403].includes(r.status)) {
    // the spec declares no 4xx besides 401/403 for these operations; the body must still be an ErrorInfo
    if (typeof r.json?.status !== 'number' || typeof r.json?.error?.code !== 'string') problems.push(`${op} ${r.status}: body is no ErrorInfo: ${r.text}`);
    return r;
  }
  const rct = r.headers['content-type']?.toString().split(';')[0];
  problems.push(
    ...check
      .response(server, method, full, r.status, r.buf.length ? (rct?.includes('json') ? r.json : r.buf) : undefined, rct)
      .map((p) => `${op} ${r.status}: ${p}`),
  );
  return r;
}

beforeAll(async () => {
  check = await sandboxConformance('real');
  sb = await startSandbox({ gcIntervalMs: 100, rateLimit: false, ocspCacheMs: 5_000, ocspTimeoutMs: 2_000 });
  if (!hasOpenssl) return;
  ca = await startOpensslCa(CA_CN);
  ca.setResponder('ca');
  dir = ca.dir;
  ocspUrl = ca.ocspUrl;
}, 20_000);

afterAll(async () => {
  await sb?.stop();
  await ca?.stop();
  closeAgents();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('external certification authority', () => {
  it.skipIf(!hasOpenssl)(
    'approved at the CS, reaches the SS, its certs import by signature and OCSP comes from its real responder',
    async () => {
      const t0 = Date.now();
      const caPem = readFileSync(ca.caCert);
      // ---- CS: approve the CA, register its responder
      const form = multipart([
        { name: 'certificate', value: caPem, filename: 'ca.pem' },
        { name: 'certificate_profile_info', value: EJBCA_CLASS },
        { name: 'tls_auth', value: 'false' },
        { name: 'default_csr_format', value: 'PEM' },
      ]);
      const add = await checked('cs', 'addCertificationService', 'POST', '/certification-services', form.body, form.ct);
      expect(add.status, add.text).toBe(201);
      expect(add.json).toMatchObject({ name: CA_CN, certificate_profile_info: EJBCA_CLASS, tls_auth: false, default_csr_format: 'PEM' });
      const caId = add.json.id as number;
      const dup = await checked('cs', 'addCertificationService', 'POST', '/certification-services', form.body, form.ct);
      expect(dup.status).toBe(409);
      const of = multipart([
        { name: 'url', value: ocspUrl },
        { name: 'cost_type', value: 'FREE' },
      ]);
      const addO = await checked('cs', 'addCertificationServiceOcspResponder', 'POST', `/certification-services/${caId}/ocsp-responders`, of.body, of.ct);
      expect(addO.status, addO.text).toBe(201);
      expect(addO.json).toMatchObject({ url: ocspUrl, cost_type: 'FREE', has_certificate: false });
      const list = await checked('cs', 'getCertificationServiceOcspResponders', 'GET', `/certification-services/${caId}/ocsp-responders`);
      expect(list.json).toHaveLength(1);
      expect((await checked('cs', 'getCertificationService', 'GET', `/certification-services/${caId}`)).json.name).toBe(CA_CN);
      const patch = await checked('cs', 'updateCertificationService', 'PATCH', `/certification-services/${caId}`, {
        tls_auth: 'false',
        default_csr_format: 'PEM',
      });
      expect(patch.status, patch.text).toBe(200);

      // ---- SS: globalconf brings it
      const ss = sb.ss[0]!;
      await initAndLogin(sb, 0);
      await keyCsrSignImport(sb, 0, 'SIGNING', ss.ownerId); // the owner's signing cert (sandbox CA) for §5
      await sb.waitForGlobalConf();
      const cas = await checked('ss', 'getApprovedCertificateAuthorities', 'GET', '/certificate-authorities');
      const ext = (cas.json as Array<Record<string, unknown>>).find((c) => c.name === CA_CN);
      expect(ext).toMatchObject({
        certificate_profile_info: EJBCA_CLASS,
        default_csr_format: 'PEM',
        acme_capable: false,
        ocsp_responders: [{ url: ocspUrl, cost_type: 'FREE' }],
      });

      // ---- key + CSR → openssl ca → import
      const kc = await checked('ss', 'addKeyAndCsr', 'POST', '/tokens/0/keys-with-csrs', {
        key_label: 'ext-auth',
        csr_generate_request: { key_usage_type: 'AUTHENTICATION', ca_name: CA_CN, csr_format: 'PEM', subject_field_values: {} },
      });
      expect(kc.status, kc.text).toBe(real('addKeyAndCsr', 201));
      const csr = await call(ss.url, ss.apiKeys.admin, 'GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`);
      writeFileSync(join(dir, 'auth.csr'), csr.text);
      ca.issue(join(dir, 'auth.csr'), 'auth', join(dir, 'auth.pem'));
      const authPem = readFileSync(join(dir, 'auth.pem'));
      const imp = await checked('ss', 'importCertificate', 'POST', '/token-certificates', authPem, 'application/octet-stream');
      expect(imp.status, imp.text).toBe(201);
      const hash = imp.json.certificate_details.hash as string;
      // ---- register → approve → REGISTERED → activate (activation asks the responder)
      const reg = await checked('ss', 'registerCertificate', 'PUT', `/token-certificates/${hash}/register`, { address: ss.address });
      expect(reg.status, reg.text).toBe(real('registerCertificate', 200));
      await approveWaiting(sb, 'AUTH_CERT_REGISTRATION_REQUEST');
      await until(
        () => call(ss.url, ss.apiKeys.admin, 'GET', `/token-certificates/${hash}`),
        (r) => r.json?.status === 'REGISTERED',
        8_000,
      );
      const act = await checked('ss', 'activateCertificate', 'PUT', `/token-certificates/${hash}/activate`);
      expect(act.status, act.text).toBe(204);
      const good = await checked('ss', 'getCertificate', 'GET', `/token-certificates/${hash}`);
      expect(good.json.ocsp_status).toBe('OCSP_RESPONSE_GOOD');
      const diag = await checked('ss', 'getOcspRespondersDiagnostics', 'GET', '/diagnostics/ocsp-responders');
      const ed = (diag.json as Array<{ distinguished_name: string; ocsp_responders: Array<{ status_class: string }> }>).find((d) =>
        d.distinguished_name.includes(CA_CN),
      );
      expect(ed?.ocsp_responders[0]?.status_class).toBe('OK');

      // ---- revoke at the CA: the SS sees it after the cache expires
      ca.revoke(join(dir, 'auth.pem'));
      expect((await call(ss.url, ss.apiKeys.admin, 'GET', `/token-certificates/${hash}`)).json.ocsp_status).toBe('OCSP_RESPONSE_GOOD'); // cached
      sb.clock.advance(6_000);
      const rev = await until(
        () => checked('ss', 'getCertificate', 'GET', `/token-certificates/${hash}`),
        (r) => r.json?.ocsp_status === 'OCSP_RESPONSE_REVOKED',
        8_000,
      );
      expect(rev.json.ocsp_status).toBe('OCSP_RESPONSE_REVOKED');

      // ---- a failing responder: UNKNOWN, diagnostics FAIL, activation refused
      await checked('ss', 'disableCertificate', 'PUT', `/token-certificates/${hash}/disable`);
      ca.setDown(true);
      sb.clock.advance(6_000);
      const act2 = await checked('ss', 'activateCertificate', 'PUT', `/token-certificates/${hash}/activate`);
      expect(act2.status).toBe(500);
      const diag2 = await checked('ss', 'getOcspRespondersDiagnostics', 'GET', '/diagnostics/ocsp-responders');
      expect(
        (diag2.json as Array<{ distinguished_name: string; ocsp_responders: Array<{ status_class: string }> }>).find((d) =>
          d.distinguished_name.includes(CA_CN),
        )?.ocsp_responders[0]?.status_class,
      ).toBe('FAIL');
      ca.setDown(false);

      // ---- a delegated responder (issued by the CA with OCSPSigning) is trusted; an impostor's answer is not
      // (the harness's default responder is a delegated one the CA issued with OCSPSigning)
      ca.setResponder('impostor');
      sb.clock.advance(6_000);
      const imp2 = await checked('ss', 'activateCertificate', 'PUT', `/token-certificates/${hash}/activate`);
      expect(imp2.status).toBe(500);
      expect((await call(ss.url, ss.apiKeys.admin, 'GET', `/token-certificates/${hash}`)).json.ocsp_verify_before_activation_error).toMatch(/UNKNOWN/);
      ca.setResponder('delegated');
      sb.clock.advance(6_000);
      const del = await checked('ss', 'activateCertificate', 'PUT', `/token-certificates/${hash}/activate`);
      expect(del.status).toBe(500);
      expect((await call(ss.url, ss.apiKeys.admin, 'GET', `/token-certificates/${hash}`)).json.ocsp_verify_before_activation_error).toMatch(/REVOKED/);
      ca.setResponder('ca');
      // ACME to an external CA is not simulated
      expect(problems).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(20_000);
    },
    30_000,
  );

  it.skipIf(!hasOpenssl)(
    'bad inputs are 400 (never 500): non-CA cert, garbage multipart, unknown profile, bad responder URL',
    async () => {
      const leaf = ca.leafCert('Not a CA');
      const caPem = readFileSync(ca.caCert);
      const post = (parts: Parameters<typeof multipart>[0]) => {
        const f = multipart(parts);
        return checked('cs', 'addCertificationService', 'POST', '/certification-services', f.body, f.ct);
      };
      const nonCa = await post([
        { name: 'certificate', value: leaf, filename: 'l.pem' },
        { name: 'certificate_profile_info', value: EJBCA_CLASS },
        { name: 'tls_auth', value: 'false' },
        { name: 'default_csr_format', value: 'PEM' },
      ]);
      expect(nonCa.status).toBe(400);
      expect(nonCa.json.error.code).toBe('invalid_certificate');
      const garbage = await checked(
        'cs',
        'addCertificationService',
        'POST',
        '/certification-services',
        Buffer.from('--x\r\nnot a part'),
        'multipart/form-data; boundary=x',
      );
      expect(garbage.status).toBe(400);
      const noBoundary = await checked('cs', 'addCertificationService', 'POST', '/certification-services', Buffer.from('{}'), 'application/json');
      expect(noBoundary.status).toBe(400);
      const prof = await post([
        { name: 'certificate', value: caPem, filename: 'ca.pem' },
        { name: 'certificate_profile_info', value: 'com.example.NoSuchProvider' },
        { name: 'tls_auth', value: 'false' },
        { name: 'default_csr_format', value: 'PEM' },
      ]);
      expect(prof.status).toBe(400);
      expect(prof.json.error.code).toBe('invalid_certificate_profile_info_class');
      const fmt = await post([
        { name: 'certificate', value: caPem, filename: 'ca.pem' },
        { name: 'certificate_profile_info', value: EJBCA_CLASS },
        { name: 'default_csr_format', value: 'XML' },
      ]);
      expect(fmt.status).toBe(400);
      const notCert = await post([
        { name: 'certificate', value: 'garbage', filename: 'g.pem' },
        { name: 'certificate_profile_info', value: EJBCA_CLASS },
        { name: 'default_csr_format', value: 'PEM' },
      ]);
      expect(notCert.status).toBe(400);
      const cas = await checked('cs', 'getCertificationServices', 'GET', '/certification-services');
      const id = (cas.json as Array<{ id: number; name: string }>).find((c) => c.name === CA_CN)!.id;
      const badUrl = multipart([
        { name: 'url', value: 'not a url' },
        { name: 'cost_type', value: 'FREE' },
      ]);
      expect(
        (await checked('cs', 'addCertificationServiceOcspResponder', 'POST', `/certification-services/${id}/ocsp-responders`, badUrl.body, badUrl.ct)).status,
      ).toBe(400);
      const badCost = multipart([
        { name: 'url', value: 'http://127.0.0.1:9/x' },
        { name: 'cost_type', value: 'CHEAP' },
      ]);
      expect(
        (await checked('cs', 'addCertificationServiceOcspResponder', 'POST', `/certification-services/${id}/ocsp-responders`, badCost.body, badCost.ct)).status,
      ).toBe(400);
      expect((await checked('cs', 'deleteCertificationService', 'DELETE', '/certification-services/999999')).status).toBe(404);
      // an ACME order to an external CA is the documented error
      const ss = sb.ss[0]!;
      const ord = await call(ss.url, ss.apiKeys.admin, 'POST', `/certificate-authorities/${encodeURIComponent(CA_CN)}/acme-order`, {
        csr_id: '1',
        key_usage_type: 'AUTHENTICATION',
      });
      expect(ord.status).toBe(500);
      // delete the responder, then the CA
      const rs = await checked('cs', 'getCertificationServiceOcspResponders', 'GET', `/certification-services/${id}/ocsp-responders`);
      for (const r of rs.json as Array<{ id: number }>)
        expect((await checked('cs', 'deleteOcspResponder', 'DELETE', `/ocsp-responders/${r.id}`)).status).toBe(204);
      expect((await checked('cs', 'deleteCertificationService', 'DELETE', `/certification-services/${id}`)).status).toBe(204);
      expect(problems).toEqual([]);
    },
    20_000,
  );
});
