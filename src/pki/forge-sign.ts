/**
 * node-forge builds the ASN.1 of certificates and CSRs; node:crypto signs them (forge's pure-JS RSA costs
 * tens of milliseconds per signature). Distinguished names go through one table.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';

/** One attribute of a distinguished name, in order: `{ name: 'CN', value: 'ss1' }`. */
export interface NameField {
  name: string;
  value: string;
}

const NAME_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  serialNumber: '2.5.4.5',
  businessCategory: '2.5.4.15',
  // SK's profile spells serialNumber "SN" (BouncyCastle's name)
  SN: '2.5.4.5',
};

/** forge attributes for a name; a dotted OID is taken as it is, an unknown name is a UsageError. */
export function toForgeName(fields: NameField[]): forge.pki.CertificateField[] {
  return fields.map(({ name, value }) => {
    const type = NAME_OIDS[name] ?? (/^\d+(\.\d+)+$/.test(name) ? name : undefined);
    if (!type) throw new UsageError(`unknown subject field '${name}'`);
    return { type, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class } as forge.pki.CertificateField;
  });
}

export function fromForgeName(attrs: forge.pki.CertificateField[]): NameField[] {
  return attrs.map((a) => ({ name: a.shortName ?? a.name ?? a.type ?? '?', value: String(a.value) }));
}

export function dnString(fields: NameField[]): string {
  return fields.map((a) => `${a.name}=${a.value}`).join(', ');
}

const keys = new Map<string, KeyObject>();
function keyObject(pem: string): KeyObject {
  let k = keys.get(pem);
  if (!k) {
    try {
      k = createPrivateKey(pem);
    } catch (e) {
      throw new UsageError(`not a private key in PEM: ${(e as Error).message}`);
    }
    if (keys.size > 500) keys.clear();
    keys.set(pem, k);
  }
  return k;
}

type Signable = { siginfo: { algorithmOid: string }; signatureOid: string; signature: string; md: forge.md.MessageDigest };
const internals = forge.pki as unknown as { getTBSCertificate(c: unknown): forge.asn1.Asn1; getCertificationRequestInfo(c: unknown): forge.asn1.Asn1 };

function signWith(o: Signable, toBeSigned: forge.asn1.Asn1, keyPem: string): void {
  const der = Buffer.from(forge.asn1.toDer(toBeSigned).getBytes(), 'binary');
  o.signature = cryptoSign('sha256', der, keyObject(keyPem)).toString('binary');
}

function prepare(o: Signable): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  o.siginfo.algorithmOid = oid;
  o.signatureOid = oid;
  o.md = forge.md.sha256.create();
}

/** Sign a forge certificate with SHA-256/RSA by node:crypto. */
export function signCertificate(cert: forge.pki.Certificate, keyPem: string): void {
  const o = cert as unknown as Signable;
  prepare(o);
  signWith(o, internals.getTBSCertificate(cert), keyPem);
}

/** Sign a forge certification request with SHA-256/RSA by node:crypto. */
export function signRequest(csr: ReturnType<typeof forge.pki.createCertificationRequest>, keyPem: string): void {
  const o = csr as unknown as Signable;
  prepare(o);
  signWith(o, internals.getCertificationRequestInfo(csr), keyPem);
}
