import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors/index.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { generateRsaKeyPair, publicKeyFingerprint, publicKeyPemOf } from '../../src/pki/keys.js';
import { normalizeFingerprintOrThrow } from '../../src/config/contexts.js';
import { certMatchesKey, daysLeft, parseCertificate, verifyIssuedBy } from '../../src/pki/x509.js';

const kp = generateRsaKeyPair(2048);
const other = generateRsaKeyPair(2048);
const subject = [
  { name: 'C', value: 'FI' },
  { name: 'O', value: 'GOV' },
  { name: 'CN', value: 'SS1' },
  { name: 'serialNumber', value: 'DEV/SS1/GOV' },
];

function selfSigned(keyPem: string, days: number): string {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  c.serialNumber = '01';
  c.validity.notBefore = new Date(Date.now() - 86_400_000 * 2);
  c.validity.notAfter = new Date(Date.now() + 86_400_000 * days);
  c.setSubject([{ shortName: 'CN', value: 'Test CA' }]);
  c.setIssuer([{ shortName: 'CN', value: 'Test CA' }]);
  c.setExtensions([{ name: 'basicConstraints', cA: true }]);
  c.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(c);
}

describe('pki core', () => {
  it('CSR round trip keeps ordered subject with slashes, SAN and a valid signature (PEM and DER)', () => {
    for (const format of ['PEM', 'DER'] as const) {
      const out = createCsr(kp.privateKeyPem, { subject, san: ['ss1.example.org'] });
      const p = parseCsr(format === 'PEM' ? out.pem : out.der);
      expect(p.signatureValid).toBe(true);
      expect(p.subject.map((s) => s.value)).toEqual(['FI', 'GOV', 'SS1', 'DEV/SS1/GOV']);
      expect(p.san).toEqual(['ss1.example.org']);
      expect(p.spkiSha256).toBe(publicKeyFingerprint(kp.publicKeyPem));
    }
  });

  it('garbage, a certificate and a PEM with garbage are UsageErrors', () => {
    expect(() => parseCsr(Buffer.from('hello world'))).toThrow(UsageError);
    expect(() => parseCsr(selfSigned(kp.privateKeyPem, 10))).toThrow(/not a PKCS#10 CSR/);
    expect(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\n!!!garbage\n-----END CERTIFICATE REQUEST-----\n')).toThrow(UsageError);
  });

  it('cert/key match, issuer check, days left', () => {
    const cert = parseCertificate(selfSigned(kp.privateKeyPem, 10));
    expect(certMatchesKey(cert, kp.publicKeyPem)).toBe(true);
    expect(certMatchesKey(cert, publicKeyPemOf(other.privateKeyPem))).toBe(false);
    expect(verifyIssuedBy(cert, cert)).toBe(true);
    expect(verifyIssuedBy(cert, parseCertificate(selfSigned(other.privateKeyPem, 10)))).toBe(false);
    expect(daysLeft(cert, new Date())).toBe(9);
    expect(daysLeft(cert, new Date(Date.now() + 20 * 86_400_000))).toBeLessThan(0);
  });

  it('fingerprints normalise from any common spelling', () => {
    const hex = 'ab'.repeat(32);
    const colons = hex.toUpperCase().match(/../g)!.join(':');
    // the last two are what `openssl x509 -noout -fingerprint -sha256` prints (OpenSSL 1.1 and 3)
    for (const s of [
      hex,
      `sha256:${hex}`,
      `SHA256=${hex.toUpperCase()}`,
      hex.match(/../g)!.join(':'),
      `SHA256 Fingerprint=${colons}`,
      `sha256 Fingerprint=${colons}\n`,
    ]) {
      expect(normalizeFingerprintOrThrow(s)).toBe(colons);
    }
    expect(() => normalizeFingerprintOrThrow('xyz')).toThrow(UsageError);
  });
});
