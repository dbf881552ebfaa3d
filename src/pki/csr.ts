import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';
import { fromForgeName, signRequest, toForgeName, type NameField } from './forge-sign.js';

export type { NameField };
export type CertUsage = 'auth' | 'sign';

export interface ParsedCsr {
  subject: NameField[];
  subjectString: string;
  publicKeyPem: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex */
  spkiSha256: string;
  san: string[];
  /** the key usage the CSR asks for, when it carries a keyUsage extension request */
  usage?: CertUsage;
  signatureValid: boolean;
  der: Buffer;
}

const CSR_RE = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;

/** RSA signature algorithms by OID → their digest (node:crypto verifies them: forge's pure-JS RSA costs milliseconds) */
const RSA_DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

function verifyCsrSignature(csr: ReturnType<typeof forge.pki.certificationRequestFromAsn1>, pubPem: string): boolean {
  const c = csr as unknown as { signatureOid: string; signature: string; certificationRequestInfo?: forge.asn1.Asn1 };
  const digest = RSA_DIGESTS[c.signatureOid];
  if (!digest || !c.certificationRequestInfo) return csr.verify();
  const info = Buffer.from(forge.asn1.toDer(c.certificationRequestInfo).getBytes(), 'binary');
  return cryptoVerify(digest, info, pubPem, Buffer.from(c.signature, 'binary'));
}

/** Parse a PKCS#10 CSR in PEM or DER; anything else is a clear UsageError. */
export function parseCsr(bytes: Buffer | string): ParsedCsr {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  let der: Buffer;
  const m = CSR_RE.exec(text);
  if (m) der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  else if (text.includes('-----BEGIN')) throw new UsageError('not a PKCS#10 CSR: no CERTIFICATE REQUEST PEM block');
  else der = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1');
  let csr: ReturnType<typeof forge.pki.certificationRequestFromAsn1>;
  try {
    csr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(der.toString('binary')));
  } catch (e) {
    throw new UsageError(`not a PKCS#10 CSR: ${(e as Error).message}`);
  }
  const pubPem = forge.pki.publicKeyToPem(csr.publicKey as forge.pki.PublicKey);
  const spki = createPublicKey(pubPem).export({ type: 'spki', format: 'der' });
  const subject = fromForgeName(csr.subject.attributes);
  const ext = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: Array<Record<string, unknown>> } | null)?.extensions ?? [];
  const san: string[] = [];
  let usage: CertUsage | undefined;
  for (const e of ext) {
    if (e.name === 'keyUsage') usage = e.nonRepudiation ? 'sign' : 'auth';
    if (e.name === 'subjectAltName') for (const n of (e.altNames as Array<{ value?: string }>) ?? []) if (n.value) san.push(n.value);
  }
  let signatureValid = false;
  try {
    signatureValid = verifyCsrSignature(csr, pubPem);
  } catch {
    signatureValid = false;
  }
  return {
    subject,
    subjectString: subject.map((s) => `${s.name}=${s.value}`).join(', '),
    publicKeyPem: createPublicKey(pubPem).export({ type: 'spki', format: 'pem' }).toString(),
    spkiSha256: createHash('sha256').update(spki).digest('hex'),
    san,
    usage,
    signatureValid,
    der,
  };
}

export interface CreateCsrOptions {
  /** Ordered subject fields, e.g. [{name:'C',value:'FI'},{name:'serialNumber',value:'DEV/SS1/GOV'}] */
  subject: NameField[];
  /** DNS names, as a subjectAltName extension request */
  san?: string[];
  /** a keyUsage extension request as X-Road's own CSRs carry it */
  usage?: CertUsage;
}

/** the public key of a private key (PEM), as forge holds it: derived once per key (a pure function of the PEM; bounded) */
const publicKeys = new Map<string, forge.pki.PublicKey>();
function forgePublicKey(privateKeyPem: string): forge.pki.PublicKey {
  let k = publicKeys.get(privateKeyPem);
  if (!k) {
    try {
      k = forge.pki.publicKeyFromPem(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString());
    } catch (e) {
      throw new UsageError(`not an RSA private key in PEM: ${(e as Error).message}`);
    }
    if (publicKeys.size >= 500) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(privateKeyPem, k);
  }
  return k;
}

/** A PKCS#10 CSR signed with SHA-256 by the given RSA private key (PEM). */
export function createCsr(privateKeyPem: string, opts: CreateCsrOptions): { pem: string; der: Buffer } {
  if (!opts.subject.length) throw new UsageError('a CSR needs a subject');
  const publicKey = forgePublicKey(privateKeyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = publicKey;
  csr.setSubject(toForgeName(opts.subject));
  const exts: unknown[] = [];
  if (opts.usage === 'auth') exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
  if (opts.usage === 'sign') exts.push({ name: 'keyUsage', nonRepudiation: true });
  if (opts.san?.length) exts.push({ name: 'subjectAltName', altNames: opts.san.map((v) => ({ type: 2, value: v })) });
  if (exts.length) csr.setAttributes([{ name: 'extensionRequest', extensions: exts }]);
  signRequest(csr, privateKeyPem);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary');
  return { pem: forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n'), der };
}
