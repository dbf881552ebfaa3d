import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';
import { formatFingerprint } from './encoding.js';
import { fromForgeName, type NameField } from './forge-sign.js';

export { formatFingerprint };

export interface ParsedCertificate {
  subject: string;
  issuer: string;
  /** the names attribute by attribute, in the certificate's order */
  subjectFields: NameField[];
  issuerFields: NameField[];
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, upper-case hex: X-Road's certificate hash */
  sha256Hex: string;
  sha1Hex: string;
  keyUsage: string[];
  extKeyUsage: string[];
  /** as node prints them: `DNS:ss1.example.org`, `IP Address:127.0.0.1` */
  san: string[];
  /** the same without the kind: `ss1.example.org`, `127.0.0.1` */
  sanValues: string[];
  isCa: boolean;
  /** the signature, hex */
  signatureHex: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex */
  spkiSha256: string;
  publicKeyPem: string;
  pem: string;
  der: Buffer;
}

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Certificates in bytes: a PEM bundle (first is the leaf) or one DER. */
export function certificateDers(bytes: Buffer | string): Buffer[] {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  const pems = [...text.matchAll(PEM_RE)];
  if (pems.length) {
    return pems.map((m) => {
      const b64 = m[1]!.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new UsageError('PEM block is not base64');
      return Buffer.from(b64, 'base64');
    });
  }
  if (text.includes('-----BEGIN')) throw new UsageError('no CERTIFICATE PEM block found');
  return [Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')];
}

const KU_NAMES: [keyof forge.pki.CertificateField | string, string][] = [
  ['digitalSignature', 'DIGITAL_SIGNATURE'],
  ['nonRepudiation', 'NON_REPUDIATION'],
  ['keyEncipherment', 'KEY_ENCIPHERMENT'],
  ['dataEncipherment', 'DATA_ENCIPHERMENT'],
  ['keyAgreement', 'KEY_AGREEMENT'],
  ['keyCertSign', 'KEY_CERT_SIGN'],
  ['cRLSign', 'CRL_SIGN'],
  ['encipherOnly', 'ENCIPHER_ONLY'],
  ['decipherOnly', 'DECIPHER_ONLY'],
];

export function parseCertificate(bytes: Buffer | string): ParsedCertificate {
  const ders = certificateDers(bytes);
  const der = ders[0]!;
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch (e) {
    throw new UsageError(`not a certificate: ${(e as Error).message.replace(/^error:\S+:/, '')}`);
  }
  let keyUsage: string[] = [];
  let subjectFields: NameField[] = [];
  let issuerFields: NameField[] = [];
  let signatureHex = '';
  try {
    const fc = forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString('binary')));
    const ku = fc.getExtension('keyUsage') as Record<string, boolean> | null;
    if (ku) keyUsage = KU_NAMES.filter(([k]) => ku[k as string]).map(([, n]) => n);
    subjectFields = fromForgeName(fc.subject.attributes);
    issuerFields = fromForgeName(fc.issuer.attributes);
    signatureHex = Buffer.from(fc.signature as string, 'binary').toString('hex');
  } catch {
    keyUsage = [];
  }
  const san = (x.subjectAltName ?? '').split(/,\s*/).filter(Boolean);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  const pem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
  return {
    subject: x.subject,
    issuer: x.issuer,
    subjectFields,
    issuerFields,
    serialHex: x.serialNumber.toLowerCase(),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    sha256Hex: createHash('sha256').update(der).digest('hex').toUpperCase(),
    sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
    keyUsage,
    extKeyUsage: x.keyUsage ?? [],
    san,
    sanValues: san.map((v) => v.replace(/^[^:]*:/, '')),
    isCa: x.ca,
    signatureHex,
    spkiSha256: createHash('sha256').update(spki).digest('hex'),
    publicKeyPem: x.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    pem,
    der,
  };
}

/**
 * X-Road's rule (KeyUsageInfo): a sign certificate carries nonRepudiation; an auth certificate
 * digitalSignature without nonRepudiation.
 */
export function classifyUsage(c: Pick<ParsedCertificate, 'keyUsage'>): 'auth' | 'sign' | 'both' | 'none' {
  const ku = new Set(c.keyUsage);
  const sign = ku.has('NON_REPUDIATION');
  const auth = ku.has('DIGITAL_SIGNATURE') && !sign;
  if (sign && ku.has('KEY_ENCIPHERMENT') && ku.has('DIGITAL_SIGNATURE') && ku.has('DATA_ENCIPHERMENT')) return 'both';
  return sign ? 'sign' : auth ? 'auth' : 'none';
}

export function daysLeft(c: Pick<ParsedCertificate, 'notAfter'>, now = new Date()): number {
  return Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000);
}

/** Whether the certificate's public key is the given one (compared as SubjectPublicKeyInfo DER). */
export function certMatchesKey(cert: Pick<ParsedCertificate, 'der'>, publicKeyPem: string): boolean {
  const spki = (k: import('node:crypto').KeyObject) => k.export({ type: 'spki', format: 'der' });
  const certKey = new X509Certificate(cert.der).publicKey;
  return spki(certKey).equals(spki(createPublicKey(publicKeyPem)));
}

/** Whether issuerCert's key signed cert and the names chain; false for anything that does not parse. */
export function verifyIssuedBy(cert: Pick<ParsedCertificate, 'der'>, issuerCert: Pick<ParsedCertificate, 'der'>): boolean {
  try {
    const c = new X509Certificate(cert.der);
    const i = new X509Certificate(issuerCert.der);
    return c.checkIssued(i) && c.verify(i.publicKey);
  } catch {
    return false;
  }
}
