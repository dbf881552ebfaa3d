/**
 * PKI helpers for the sandbox: RSA keys (node:crypto), PKCS#10 CSRs, a CA that signs them (node-forge),
 * certificate parsing into the API's CertificateDetails, and an OCSP *view* (status lookup by serial).
 * Self-contained on purpose (src/pki is another engineer's module).
 */
import { createHash, generateKeyPair, generateKeyPairSync, randomBytes, createPublicKey, createPrivateKey, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { CertificateDetails, KeyUsage } from '../api/types/ss.js';

export interface KeyPairPem { privateKeyPem: string; publicKeyPem: string }

export function generateRsaKey(bits = 2048): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** the same, off the main thread (libuv pool): start many in parallel */
export function generateRsaKeyAsync(bits = 2048): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }, (err, publicKeyPem, privateKeyPem) => {
      if (err) reject(err);
      else resolve({ privateKeyPem, publicKeyPem });
    });
  });
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').toUpperCase();
}

export function colonFingerprint(der: Buffer): string {
  return sha256Hex(der).match(/../g)!.join(':');
}

/** Normalised SPKI DER (base64) of a PEM public key, for matching certificates to keys. */
export function spkiOfPublicKeyPem(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

export function pemToDer(pem: string): Buffer {
  const b64 = pem.replace(/-----(BEGIN|END)[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(b64, 'base64');
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function forgeDer(pemOrObj: string): Buffer {
  return pemToDer(pemOrObj);
}

export type SubjectAttr = { name: string; value: string };

const ATTR_TYPES: Record<string, string> = {
  C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', serialNumber: '2.5.4.5', businessCategory: '2.5.4.15',
  L: '2.5.4.7', ST: '2.5.4.8',
  // SkKlass3's "SN" is BouncyCastle's serialNumber
  SN: '2.5.4.5',
};

function toForgeAttrs(attrs: SubjectAttr[]): forge.pki.CertificateField[] {
  return attrs.map((a) => {
    const type = ATTR_TYPES[a.name];
    if (!type) throw new Error(`unsupported subject attribute ${a.name}`);
    return { type, value: a.value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class } as forge.pki.CertificateField;
  });
}

const keyObjects = new Map<string, KeyObject>();
function keyObject(pem: string): KeyObject {
  let k = keyObjects.get(pem);
  if (!k) {
    k = createPrivateKey(pem);
    if (keyObjects.size > 500) keyObjects.clear();
    keyObjects.set(pem, k);
  }
  return k;
}

/** sign a forge certificate with node:crypto (pure-JS RSA signing costs tens of ms per certificate) */
function signCert(cert: forge.pki.Certificate, keyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  (cert as unknown as { md: forge.md.MessageDigest }).md = forge.md.sha256.create();
  const tbs = Buffer.from(forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: unknown): forge.asn1.Asn1 }).getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = cryptoSign('sha256', tbs, keyObject(keyPem)).toString('binary');
}

function signCsrObject(csr: ReturnType<typeof forge.pki.createCertificationRequest>, keyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  const c = csr as unknown as { siginfo: { algorithmOid: string }; signatureOid: string; signature: string; md: forge.md.MessageDigest };
  c.siginfo.algorithmOid = oid;
  c.signatureOid = oid;
  c.md = forge.md.sha256.create();
  const cri = Buffer.from(forge.asn1.toDer((forge.pki as unknown as { getCertificationRequestInfo(c: unknown): forge.asn1.Asn1 }).getCertificationRequestInfo(csr)).getBytes(), 'binary');
  c.signature = cryptoSign('sha256', cri, keyObject(keyPem)).toString('binary');
}

function newSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

function dateOffset(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/** A self-signed CA certificate for a fresh RSA key. */
export function createCaCert(cn: string, now: Date, days = 3650, kp: KeyPairPem = generateRsaKey()): KeyPairPem & { certPem: string } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(kp.publicKeyPem);
  cert.serialNumber = newSerial();
  cert.validity.notBefore = dateOffset(now, -1);
  cert.validity.notAfter = dateOffset(now, days);
  const attrs = toForgeAttrs([{ name: 'C', value: 'XX' }, { name: 'O', value: 'xrdctl sandbox' }, { name: 'CN', value: cn }]);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'subjectAltName', altNames: [{ type: 2, value: cn.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') + '.sandbox.local' }] },
  ]);
  signCert(cert, kp.privateKeyPem);
  return { ...kp, certPem: forge.pki.certificateToPem(cert) };
}

/** Self-signed TLS certificate for an admin listener on 127.0.0.1. */
export function createAdminTlsCert(cn: string, now: Date, kp: KeyPairPem = generateRsaKey()): KeyPairPem & { certPem: string } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(kp.publicKeyPem);
  cert.serialNumber = newSerial();
  cert.validity.notBefore = dateOffset(now, -1);
  cert.validity.notAfter = dateOffset(now, 3650);
  const attrs = toForgeAttrs([{ name: 'CN', value: cn }]);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  signCert(cert, kp.privateKeyPem);
  return { ...kp, certPem: forge.pki.certificateToPem(cert) };
}

/** PKCS#10 CSR signed by the key; subject in the given order; optional SAN (DNS names) as an extension request. */
export function buildCsr(privateKeyPem: string, publicKeyPem: string, subject: SubjectAttr[], opts: { san?: string[]; usage?: 'AUTHENTICATION' | 'SIGNING' } = {}): { pem: string; der: Buffer } {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  csr.setSubject(toForgeAttrs(subject));
  const exts: unknown[] = [];
  if (opts.usage === 'AUTHENTICATION') exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
  if (opts.usage === 'SIGNING') exts.push({ name: 'keyUsage', nonRepudiation: true });
  if (opts.san && opts.san.length) exts.push({ name: 'subjectAltName', altNames: opts.san.map((v) => ({ type: 2, value: v })) });
  if (exts.length) csr.setAttributes([{ name: 'extensionRequest', extensions: exts }]);
  signCsrObject(csr, privateKeyPem);
  const pem = forge.pki.certificationRequestToPem(csr);
  return { pem, der: forgeDer(pem) };
}

export interface ParsedCsr { subject: SubjectAttr[]; publicKeyPem: string; usage?: 'AUTHENTICATION' | 'SIGNING'; san: string[] }

export function parseCsr(input: Buffer | string): ParsedCsr {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  let csr: ReturnType<typeof forge.pki.createCertificationRequest>;
  if (text.includes('-----BEGIN')) csr = forge.pki.certificationRequestFromPem(text);
  else {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(typeof input === 'string' ? Buffer.from(input, 'latin1').toString('binary') : input.toString('binary')));
    csr = forge.pki.certificationRequestFromAsn1(asn1);
  }
  if (!csr.verify()) throw new Error('CSR signature does not verify');
  const subject = csr.subject.attributes.map((a: forge.pki.CertificateField) => ({ name: a.shortName ?? a.name ?? a.type ?? '?', value: String(a.value) }));
  let usage: ParsedCsr['usage'];
  const san: string[] = [];
  const er = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: Array<Record<string, unknown>> } | null;
  for (const e of er?.extensions ?? []) {
    if (e.name === 'keyUsage') usage = e.nonRepudiation ? 'SIGNING' : 'AUTHENTICATION';
    if (e.name === 'subjectAltName') for (const n of (e.altNames as Array<{ value?: string }>) ?? []) if (n.value) san.push(n.value);
  }
  return { subject, publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey), usage, san };
}

export interface CaMaterial { keyPem: string; certPem: string }

/** Sign a CSR with a CA: subject and key from the CSR, key usage from `usage`. */
export function signCsr(ca: CaMaterial, csrInput: Buffer | string, opts: { usage: 'AUTHENTICATION' | 'SIGNING'; now: Date; validityDays: number; notBefore?: Date; ocspUrl?: string }): { certPem: string; der: Buffer; serial: string } {
  const parsed = parseCsr(csrInput);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(parsed.publicKeyPem);
  cert.serialNumber = newSerial();
  const nb = opts.notBefore ?? new Date(opts.now.getTime() - 60_000);
  cert.validity.notBefore = nb;
  cert.validity.notAfter = new Date(opts.now.getTime() + opts.validityDays * 86_400_000);
  cert.setSubject(toForgeAttrs(parsed.subject));
  cert.setIssuer(caCert.subject.attributes);
  const exts: unknown[] = [{ name: 'basicConstraints', cA: false }];
  if (opts.usage === 'AUTHENTICATION') {
    exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    exts.push({ name: 'extKeyUsage', clientAuth: true, serverAuth: true });
  } else {
    exts.push({ name: 'keyUsage', nonRepudiation: true, critical: true });
  }
  // the API's CertificateDetails.subject_alternative_names is required and non-empty: without a SAN in the CSR,
  // the sandbox CA adds DNS:<CN> (sanitised)
  const cn = parsed.subject.find((a) => a.name === 'CN')?.value ?? 'sandbox';
  const san = parsed.san.length ? parsed.san : [cn.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') || 'sandbox'];
  exts.push({ name: 'subjectAltName', altNames: san.map((v) => ({ type: 2, value: v })) });
  exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() });
  if (opts.ocspUrl) {
    // authorityInfoAccess: id-ad-ocsp → uniformResourceIdentifier
    const a = forge.asn1;
    const aia = a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
      a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
        a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
        a.create(a.Class.CONTEXT_SPECIFIC, 6, false, opts.ocspUrl),
      ]),
    ]);
    exts.push({ id: '1.3.6.1.5.5.7.1.1', critical: false, value: a.toDer(aia).getBytes() });
  }
  cert.setExtensions(exts as never);
  signCert(cert, ca.keyPem);
  const certPem = forge.pki.certificateToPem(cert);
  return { certPem, der: pemToDer(certPem), serial: cert.serialNumber };
}

/** Parse PEM or DER bytes into DER; throws if it is not an X.509 certificate. */
export function certInputToDer(input: Buffer): Buffer {
  const text = input.toString('latin1');
  const der = text.includes('-----BEGIN CERTIFICATE-----') ? pemToDer(text.slice(text.indexOf('-----BEGIN CERTIFICATE-----'))) : input;
  new X509Certificate(der); // throws on garbage
  return der;
}

export interface CertInfo {
  der: Buffer;
  hash: string;
  serial: string; // lower-case hex, no leading zeros normalisation beyond node's
  subject: SubjectAttr[];
  issuer: SubjectAttr[];
  notBefore: Date;
  notAfter: Date;
  keyUsages: KeyUsage[];
  publicKeyPem: string;
  san: string[];
}

const infoCache = new Map<string, CertInfo>();
const detailsCache = new Map<string, CertificateDetails>();
function remember<T>(m: Map<string, T>, k: string, v: T): T {
  if (m.size > 2000) m.delete(m.keys().next().value as string);
  m.set(k, v);
  return v;
}

/** parsed view of a certificate (memoised: certificates are immutable) */
export function certInfo(der: Buffer): CertInfo {
  const k = der.toString('base64');
  return infoCache.get(k) ?? remember(infoCache, k, certInfoUncached(der));
}

function certInfoUncached(der: Buffer): CertInfo {
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  const attrs = (list: forge.pki.CertificateField[]) => list.map((a) => ({ name: a.shortName ?? a.name ?? a.type ?? '?', value: String(a.value) }));
  const ku = cert.getExtension('keyUsage') as Record<string, boolean> | null;
  const usages: KeyUsage[] = [];
  if (ku) {
    const map: Array<[string, KeyUsage]> = [
      ['digitalSignature', 'DIGITAL_SIGNATURE'], ['nonRepudiation', 'NON_REPUDIATION'], ['keyEncipherment', 'KEY_ENCIPHERMENT'],
      ['dataEncipherment', 'DATA_ENCIPHERMENT'], ['keyAgreement', 'KEY_AGREEMENT'], ['keyCertSign', 'KEY_CERT_SIGN'],
      ['cRLSign', 'CRL_SIGN'], ['encipherOnly', 'ENCIPHER_ONLY'], ['decipherOnly', 'DECIPHER_ONLY'],
    ];
    for (const [k, v] of map) if (ku[k]) usages.push(v);
  }
  const sanExt = cert.getExtension('subjectAltName') as { altNames?: Array<{ value?: string; ip?: string }> } | null;
  const san = (sanExt?.altNames ?? []).map((n) => n.ip ?? n.value ?? '').filter(Boolean);
  return {
    der,
    hash: sha256Hex(der),
    serial: cert.serialNumber.toLowerCase(),
    subject: attrs(cert.subject.attributes),
    issuer: attrs(cert.issuer.attributes),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    keyUsages: usages,
    publicKeyPem: forge.pki.publicKeyToPem(cert.publicKey as forge.pki.rsa.PublicKey),
    san,
  };
}

/** Does `caCertPem` verify the signature of `der`? */
export function issuedBy(caCertPem: string, der: Buffer): boolean {
  try {
    const ca = new X509Certificate(caCertPem);
    const c = new X509Certificate(der);
    return c.checkIssued(ca) && c.verify(ca.publicKey);
  } catch {
    return false;
  }
}

export function dnString(attrs: SubjectAttr[]): string {
  return attrs.map((a) => `${a.name}=${a.value}`).join(', ');
}

export function certificateDetails(der: Buffer): CertificateDetails {
  const k = der.toString('base64');
  const hit = detailsCache.get(k);
  return { ...(hit ?? remember(detailsCache, k, certificateDetailsUncached(der))), key_usages: [...(hit ?? detailsCache.get(k)!).key_usages] };
}

function certificateDetailsUncached(der: Buffer): CertificateDetails {
  const info = certInfo(der);
  const x = new X509Certificate(der);
  const jwk = x.publicKey.export({ format: 'jwk' }) as { n?: string; e?: string };
  const modulus = jwk.n ? Buffer.from(jwk.n, 'base64url').toString('hex') : '';
  const exponent = jwk.e ? parseInt(Buffer.from(jwk.e, 'base64url').toString('hex'), 16) : 0;
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  const cn = (l: SubjectAttr[]) => l.find((a) => a.name === 'CN')?.value ?? '';
  return {
    issuer_distinguished_name: dnString(info.issuer),
    issuer_common_name: cn(info.issuer),
    subject_distinguished_name: dnString(info.subject),
    subject_common_name: cn(info.subject),
    not_before: info.notBefore.toISOString(),
    not_after: info.notAfter.toISOString(),
    serial: BigInt('0x' + info.serial).toString(10),
    version: 3,
    signature_algorithm: 'SHA256withRSA',
    signature: Buffer.from(cert.signature as string, 'binary').toString('hex').slice(0, 254),
    public_key_algorithm: 'RSA',
    rsa_public_key_modulus: modulus.slice(0, 1000),
    rsa_public_key_exponent: exponent,
    hash: info.hash,
    key_usages: info.keyUsages,
    subject_alternative_names: info.san.map((s) => `DNS:${s}`).join(', '),
  };
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
