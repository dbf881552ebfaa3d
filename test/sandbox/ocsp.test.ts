/** The sandbox OCSP responder answers real RFC 6960 requests (checked with openssl), and revocation changes the answer. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certHash, startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { createCsr } from '../../src/pki/csr.js';
import { generateRsaKeyPair } from '../../src/pki/keys.js';
import { closeAgents, real } from './helpers.js';
import { keyCsrSignImport, initAndLogin, ssApi } from './scenario.js';

const ex = promisify(execFile);
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ gcIntervalMs: 100, rateLimit: false });
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

describe('sandbox OCSP responder', () => {
  it.skipIf(!hasOpenssl)('openssl ocsp: good, then revoked after revocation (signature verified against the CA)', async () => {
    const kp = generateRsaKeyPair();
    const csr = createCsr(kp.privateKeyPem, {
      subject: [
        { name: 'C', value: 'DEV' },
        { name: 'CN', value: 'SS9' },
      ],
      usage: 'auth',
    });
    const cert = sb.ca.sign(csr.pem);
    const d = mkdtempSync(join(tmpdir(), 'xrdctl-ocsp-'));
    writeFileSync(join(d, 'ca.pem'), sb.ca.certPem());
    writeFileSync(join(d, 'c.pem'), cert);
    const aia = (await ex('openssl', ['x509', '-in', join(d, 'c.pem'), '-noout', '-ocsp_uri'])).stdout.trim();
    expect(aia.startsWith(sb.ocspUrl)).toBe(true);
    // async exec: the responder runs in this process
    const ask = async () => {
      const r = await ex('openssl', ['ocsp', '-issuer', join(d, 'ca.pem'), '-cert', join(d, 'c.pem'), '-url', aia, '-CAfile', join(d, 'ca.pem')]);
      return r.stdout + r.stderr;
    };
    const good = await ask();
    expect(good).toMatch(/c\.pem: good/);
    expect(good).toMatch(/Response verify OK/);
    expect(sb.ca.revoke(certHash(cert))).toBe(true);
    expect(await ask()).toMatch(/c\.pem: revoked/);
  });

  it.skipIf(!hasOpenssl)('CSRs from the API are real PKCS#10 (openssl verifies PEM and DER); issued certs verify against the CA', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    if (!(await api('GET', '/initialization/status')).json.is_anchor_imported) await initAndLogin(sb, 0);
    const kc = await api('POST', '/tokens/0/keys-with-csrs', {
      key_label: 'peer',
      csr_generate_request: { key_usage_type: 'SIGNING', ca_name: 'Sandbox CA', csr_format: 'PEM', member_id: ss.ownerId, subject_field_values: {} },
    });
    expect(kc.status).toBe(real('addKeyAndCsr', 201));
    const d = mkdtempSync(join(tmpdir(), 'xrdctl-csr-'));
    const pem = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`);
    const der = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=DER`);
    writeFileSync(join(d, 'c.pem'), pem.buf);
    writeFileSync(join(d, 'c.der'), der.buf);
    const a = await ex('openssl', ['req', '-in', join(d, 'c.pem'), '-verify', '-noout', '-subject']);
    expect(a.stdout + a.stderr).toMatch(/verify OK/i);
    expect(a.stdout).toMatch(/C\s*=\s*DEV, O\s*=\s*GOV, CN\s*=\s*1001/);
    const b = await ex('openssl', ['req', '-inform', 'DER', '-in', join(d, 'c.der'), '-verify', '-noout']);
    expect(b.stdout + b.stderr).toMatch(/verify OK/i);
    writeFileSync(join(d, 'cert.pem'), sb.ca.sign(pem.text, { usage: 'SIGNING' }));
    writeFileSync(join(d, 'ca.pem'), sb.ca.certPem());
    const v = await ex('openssl', ['verify', '-CAfile', join(d, 'ca.pem'), join(d, 'cert.pem')]);
    expect(v.stdout).toMatch(/cert.pem: OK/);
  });

  it('the admin API ocsp_status follows the same revocation data', async () => {
    if (!(await ssApi(sb.ss[0]!)('GET', '/initialization/status')).json.is_anchor_imported) await initAndLogin(sb, 0);
    const ss = sb.ss[0]!;
    const k = await keyCsrSignImport(sb, 0, 'SIGNING', ss.ownerId);
    expect((await ssApi(ss)('GET', `/token-certificates/${k.hash}`)).json.ocsp_status).toBe('OCSP_RESPONSE_GOOD');
    expect(sb.ca.revoke(k.hash)).toBe(true);
    expect((await ssApi(ss)('GET', `/token-certificates/${k.hash}`)).json.ocsp_status).toBe('OCSP_RESPONSE_REVOKED');
    expect((await ssApi(ss)('GET', `/clients/${ss.ownerId}`)).json.has_valid_local_sign_cert).toBe(false);
    const diag = (await ssApi(ss)('GET', '/diagnostics/ocsp-responders')).json;
    expect(diag[0].ocsp_responders[0].url.startsWith(sb.ocspUrl)).toBe(true);
  });
});
