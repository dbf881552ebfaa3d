/**
 * The sandbox's view of certificates as the X-Road API shows them (CertificateDetails), built on the
 * project's one PKI stack (src/pki). Certificates are immutable, so the views are memoised.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { CertificateDetails, KeyUsage } from '../api/types/ss.js';
import { createCaCertificate } from '../pki/ca.js';
import type { CertUsage } from '../pki/csr.js';
import type { KeyPairPem } from '../pki/keys.js';
import { certificateDers, parseCertificate, type ParsedCertificate } from '../pki/x509.js';
import { dnString, type NameField } from '../pki/forge-sign.js';

export type SubjectAttr = NameField;
export type KeyUsageType = 'AUTHENTICATION' | 'SIGNING';

/** X-Road's KeyUsageType as the PKI stack spells it. */
export const pkiUsage = (u: KeyUsageType): CertUsage => (u === 'AUTHENTICATION' ? 'auth' : 'sign');
export const apiUsage = (u: CertUsage): KeyUsageType => (u === 'auth' ? 'AUTHENTICATION' : 'SIGNING');

/** The DER of the first certificate in PEM or DER bytes; throws if it is not an X.509 certificate. */
export function certInputToDer(input: Buffer): Buffer {
  const der = certificateDers(input)[0]!;
  parse(der); // throws on garbage; memoised, as the view the caller asks for next reads the same parse
  return der;
}

export interface CertInfo {
  der: Buffer;
  hash: string;
  /** lower-case hex */
  serial: string;
  subject: SubjectAttr[];
  issuer: SubjectAttr[];
  notBefore: Date;
  notAfter: Date;
  keyUsages: KeyUsage[];
  publicKeyPem: string;
  san: string[];
}

const parsed = new Map<string, ParsedCertificate>();
const details = new Map<string, CertificateDetails>();
function remember<T>(m: Map<string, T>, k: string, v: T): T {
  if (m.size > 2000) m.delete(m.keys().next().value as string);
  m.set(k, v);
  return v;
}

function parse(der: Buffer): ParsedCertificate {
  const k = der.toString('base64');
  return parsed.get(k) ?? remember(parsed, k, parseCertificate(der));
}

/** certInfo of a certificate stored as base64 DER (the state's form): the parse is found by that text, without decoding it again */
export function certInfoB64(derB64: string): CertInfo {
  const c = parsed.get(derB64);
  return c ? infoOf(c, Buffer.from(derB64, 'base64')) : certInfo(Buffer.from(derB64, 'base64'));
}

/** the validity of a certificate stored as base64 DER (the referee asks for it of every certificate on every evaluation) */
export function certValidity(derB64: string): { notBefore: Date; notAfter: Date } {
  const c = parsed.get(derB64) ?? parse(Buffer.from(derB64, 'base64'));
  return { notBefore: c.notBefore, notAfter: c.notAfter };
}

export function certInfo(der: Buffer): CertInfo {
  return infoOf(parse(der), der);
}

function infoOf(c: ParsedCertificate, der: Buffer): CertInfo {
  return {
    der,
    hash: c.sha256Hex,
    serial: c.serialHex,
    subject: c.subjectFields,
    issuer: c.issuerFields,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    keyUsages: c.keyUsage as KeyUsage[],
    publicKeyPem: c.publicKeyPem,
    san: c.sanValues,
  };
}

export function certificateDetails(der: Buffer): CertificateDetails {
  const k = der.toString('base64');
  const hit = details.get(k) ?? remember(details, k, detailsOf(parse(der)));
  return { ...hit, key_usages: [...hit.key_usages] };
}

function detailsOf(c: ParsedCertificate): CertificateDetails {
  const jwk = parseCertificateKey(c);
  const cn = (l: SubjectAttr[]) => l.find((a) => a.name === 'CN')?.value ?? '';
  return {
    issuer_distinguished_name: dnString(c.issuerFields),
    issuer_common_name: cn(c.issuerFields),
    subject_distinguished_name: dnString(c.subjectFields),
    subject_common_name: cn(c.subjectFields),
    not_before: c.notBefore.toISOString(),
    not_after: c.notAfter.toISOString(),
    serial: BigInt('0x' + c.serialHex).toString(10),
    version: 3,
    signature_algorithm: 'SHA256withRSA',
    signature: c.signatureHex.slice(0, 254),
    public_key_algorithm: 'RSA',
    rsa_public_key_modulus: jwk.modulus.slice(0, 1000),
    rsa_public_key_exponent: jwk.exponent,
    hash: c.sha256Hex,
    key_usages: c.keyUsage as KeyUsage[],
    subject_alternative_names: c.sanValues.map((s) => `DNS:${s}`).join(', '),
  };
}

function parseCertificateKey(c: ParsedCertificate): { modulus: string; exponent: number } {
  // the JWK of an RSA key: n and e, base64url
  const jwk = createPublicKey(c.publicKeyPem).export({ format: 'jwk' }) as { n?: string; e?: string };
  return {
    modulus: jwk.n ? Buffer.from(jwk.n, 'base64url').toString('hex') : '',
    exponent: jwk.e ? parseInt(Buffer.from(jwk.e, 'base64url').toString('hex'), 16) : 0,
  };
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A sandbox CA: C=XX, O=xrdctl sandbox, CN=name, ten years, with a DNS name (the API's CA details need a SAN). */
export function sandboxCa(cn: string, now: Date, key?: KeyPairPem): KeyPairPem & { certPem: string } {
  return createCaCertificate({
    subject: [
      { name: 'C', value: 'XX' },
      { name: 'O', value: 'xrdctl sandbox' },
      { name: 'CN', value: cn },
    ],
    now,
    notBefore: new Date(now.getTime() - 86_400_000),
    validityDays: 3650,
    key,
    san: [cn.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') + '.sandbox.local'],
  });
}
