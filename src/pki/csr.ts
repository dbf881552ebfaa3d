import { createHash, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';

export interface ParsedCsr {
  subject: { type: string; value: string }[];
  subjectString: string;
  publicKeyPem: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex */
  spkiSha256: string;
  san: string[];
  signatureValid: boolean;
  der: Buffer;
}

const CSR_RE = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;

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
  const subject = (csr.subject.attributes as { shortName?: string; name?: string; type?: string; value?: unknown }[]).map((a) => ({ type: String(a.shortName ?? a.name ?? a.type), value: String(a.value) }));
  const ext = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name: string; altNames?: { value: string }[] }[] } | null)?.extensions ?? [];
  const san = ext.find((e) => e.name === 'subjectAltName')?.altNames?.map((a) => a.value) ?? [];
  let signatureValid = false;
  try {
    signatureValid = csr.verify();
  } catch {
    signatureValid = false;
  }
  return {
    subject,
    subjectString: subject.map((s: { type: string; value: string }) => `${s.type}=${s.value}`).join(', '),
    publicKeyPem: pubPem,
    spkiSha256: createHash('sha256').update(spki).digest('hex'),
    san,
    signatureValid,
    der,
  };
}

const FIELD_TYPES: Record<string, string> = {
  C: 'C', O: 'O', OU: 'OU', CN: 'CN', L: 'L', ST: 'ST',
  serialNumber: '2.5.4.5', businessCategory: '2.5.4.15',
};

export interface CreateCsrOptions {
  /** Ordered subject fields, e.g. [{type:'C',value:'FI'},{type:'serialNumber',value:'DEV/SS1/GOV'}] */
  subject: { type: string; value: string }[];
  san?: string[];
  format?: 'PEM' | 'DER';
}

/** A PKCS#10 CSR signed with SHA-256 by the given RSA private key (PEM). */
export function createCsr(privateKeyPem: string, opts: CreateCsrOptions): string | Buffer {
  if (!opts.subject.length) throw new UsageError('a CSR needs a subject');
  let key: forge.pki.rsa.PrivateKey;
  try {
    key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  } catch (e) {
    throw new UsageError(`not an RSA private key in PEM: ${(e as Error).message}`);
  }
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject(opts.subject.map(({ type, value }) => {
    const t = FIELD_TYPES[type] ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
    if (!t) throw new UsageError(`unknown subject field '${type}'`);
    return /^\d/.test(t) ? { type: t, value, valueTagClass: forge.asn1.Type.UTF8 } : { shortName: t, value, valueTagClass: forge.asn1.Type.UTF8 };
  }) as unknown as forge.pki.CertificateField[]);
  if (opts.san?.length) {
    csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: opts.san.map((d) => ({ type: 2, value: d })) }] }]);
  }
  csr.sign(key, forge.md.sha256.create());
  if (opts.format === 'DER') return Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary');
  return forge.pki.certificationRequestToPem(csr);
}
