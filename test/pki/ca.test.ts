import { describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/pki/ca.js';
import { createCsr } from '../../src/pki/csr.js';
import { generateRsaKeyPair } from '../../src/pki/keys.js';
import { certMatchesKey, classifyUsage, daysLeft, parseCertificate, verifyIssuedBy } from '../../src/pki/x509.js';

describe('CertificateAuthority', () => {
  const root = CertificateAuthority.create('Test Root');
  const ca = CertificateAuthority.create('Test Intermediate', { parent: root });
  const kp = generateRsaKeyPair(2048);
  const csr = createCsr(kp.privateKeyPem, {
    subject: [
      { name: 'C', value: 'FI' },
      { name: 'O', value: 'GOV' },
      { name: 'serialNumber', value: 'DEV/SS1/GOV' },
    ],
  }).pem;

  it('issues X-Road auth and sign certificates that parse, classify, chain and match the key', () => {
    const auth = parseCertificate(ca.signCsr(csr, { usage: 'auth', validityDays: 30 }));
    const sign = parseCertificate(ca.signCsr(csr, { usage: 'sign', validityDays: 30 }));
    expect(classifyUsage(auth)).toBe('auth');
    expect(classifyUsage(sign)).toBe('sign');
    expect(auth.isCa).toBe(false);
    expect(auth.subject).toContain('DEV/SS1/GOV');
    const inter = parseCertificate(ca.certPem);
    expect(inter.isCa).toBe(true);
    expect(verifyIssuedBy(auth, inter)).toBe(true);
    expect(verifyIssuedBy(inter, parseCertificate(root.certPem))).toBe(true);
    expect(certMatchesKey(sign, kp.publicKeyPem)).toBe(true);
    expect(daysLeft(auth)).toBe(29);
  });

  it('expired validity windows, revocation and persistence', () => {
    const old = parseCertificate(ca.signCsr(csr, { usage: 'sign', notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01'), serial: '0A1B' }));
    expect(daysLeft(old)).toBeLessThan(0);
    expect(ca.status('0A1B').status).toBe('good');
    expect(ca.status('FFFF').status).toBe('unknown');
    ca.revoke('0a1b', 'keyCompromise', new Date('2020-06-01T00:00:00Z'));
    const again = CertificateAuthority.fromJSON(JSON.parse(JSON.stringify(ca.toJSON())));
    expect(again.status('A1B')).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(() => again.signCsr(csr, { usage: 'sign', serial: '0A1B' })).toThrow(/already issued/);
  });
});
