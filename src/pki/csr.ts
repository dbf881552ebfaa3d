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
