import { execa } from 'execa';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAdapter, splitCommand } from '../../src/pki/adapters/command.js';
import { classifyUsage, parseCertificate } from '../../src/pki/x509.js';
import { startOpensslCa, type OpensslCa } from './support/openssl-ca.js';
import { havePeer } from './support/peers.js';

const haveOpenssl = havePeer('openssl');

function xroadCsr(cn: string): string {
  const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(kp.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([
    { name: 'countryName', value: 'EE' },
    { name: 'organizationName', value: 'Ministry' },
    { type: '2.5.4.5', value: 'DEV/SS1/GOV' }, // X-Road serialNumber with slashes
    { name: 'commonName', value: cn },
  ]);
  csr.sign(forge.pki.privateKeyFromPem(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

describe.skipIf(!haveOpenssl)('command adapter with a real openssl ca; OCSP from openssl on 127.0.0.1', () => {
  let ca: OpensslCa;
  beforeAll(async () => {
    ca = await startOpensslCa();
  });
  afterAll(async () => ca?.stop());

  for (const usage of ['auth', 'sign'] as const) {
    it(`openssl ca signs an X-Road ${usage} CSR through the command adapter`, async () => {
      const adapter = new CommandAdapter(ca.commandArgv, { timeoutMs: 30_000 });
      const r = await adapter.submit(Buffer.from(xroadCsr(`ss1-${usage}`)), { usage, csrFormat: 'PEM' });
      const cert = parseCertificate(r.certificate);
      expect(cert.subject).toMatch(/serialNumber=DEV\/SS1\/GOV/);
      expect(cert.issuer).toMatch(/CN=xrdctl Test OpenSSL CA/);
      expect(classifyUsage(cert)).toBe(usage);
    });
  }

  it('the CSR can go on stdin and the certificate come from stdout', async () => {
    const argv = splitCommand(`openssl ca -batch -config '${join(ca.dir, 'openssl.cnf')}' -extensions auth_ext -in - -notext`);
    const r = await new CommandAdapter(argv).submit(Buffer.from(xroadCsr('stdin')), { usage: 'auth', csrFormat: 'PEM' });
    expect(parseCertificate(r.certificate).subject).toMatch(/CN=stdin/);
  });

  it('a failing CA command is one line with what openssl said; no stack, no temp files left', async () => {
    const bad = new CommandAdapter(['openssl', 'ca', '-batch', '-config', '/nonexistent.cnf', '-in', '{csr}', '-out', '{cert}']);
    await expect(bad.submit(Buffer.from(xroadCsr('x')), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/CA command openssl failed \(exit 1\)/);
    const missing = new CommandAdapter(['no-such-ca-binary', '{csr}']);
    await expect(missing.submit(Buffer.from('x'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/CA command no-such-ca-binary failed/);
  });

  it('OCSP: good, then revoked after openssl ca -revoke (the responder re-reads its index)', async () => {
    const r = await new CommandAdapter(ca.commandArgv).submit(Buffer.from(xroadCsr('ocsp-me')), { usage: 'auth', csrFormat: 'PEM' });
    const certFile = join(ca.dir, 'leaf.crt');
    writeFileSync(certFile, r.certificate);
    // async: the responder runs in this process
    const status = async () =>
      (await execa('openssl', ['ocsp', '-issuer', ca.caCert, '-cert', certFile, '-url', ca.ocspUrl, '-CAfile', ca.caCert, '-no_nonce'], { timeout: 20_000 }))
        .stdout;
    expect(await status()).toMatch(/leaf\.crt: good/);
    ca.revoke(certFile);
    expect(await status()).toMatch(/leaf\.crt: revoked/);
  });

  it('OCSP: a sign certificate revoked by its serial shows revoked; another stays good', async () => {
    const adapter = new CommandAdapter(ca.commandArgv);
    const a = await adapter.submit(Buffer.from(xroadCsr('sign-a')), { usage: 'sign', csrFormat: 'PEM' });
    const b = await adapter.submit(Buffer.from(xroadCsr('sign-b')), { usage: 'sign', csrFormat: 'PEM' });
    writeFileSync(join(ca.dir, 'a.crt'), a.certificate);
    writeFileSync(join(ca.dir, 'b.crt'), b.certificate);
    ca.revoke(parseCertificate(a.certificate).serialHex);
    const r = await execa(
      'openssl',
      ['ocsp', '-issuer', ca.caCert, '-cert', join(ca.dir, 'a.crt'), '-cert', join(ca.dir, 'b.crt'), '-url', ca.ocspUrl, '-CAfile', ca.caCert, '-no_nonce'],
      { timeout: 20_000 },
    );
    expect(r.stdout).toMatch(/a\.crt: revoked/);
    expect(r.stdout).toMatch(/b\.crt: good/);
    expect(r.stderr).toMatch(/Response verify OK/);
  });
});
