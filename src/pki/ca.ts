import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';
import { parseCsr, type CertUsage } from './csr.js';
import { bareSerial as bare, pemToDer } from './encoding.js';
import { signCertificate, toForgeName, type NameField } from './forge-sign.js';
import { generateRsaKeyPair, type KeyPairPem } from './keys.js';

export type RevocationReason = 'unspecified' | 'keyCompromise' | 'caCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';

/** A CA's key and certificate: all `issueCertificate` needs. */
export interface CaMaterial {
  keyPem: string;
  certPem: string;
}

const DAY = 86_400_000;

/** A random positive serial, lower-case hex, 16 bytes, never with a leading zero byte. */
export function newSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f || 1;
  return b.toString('hex');
}

const dnsName = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') || 'localhost';

export interface CaCertificateOptions {
  subject: NameField[];
  now?: Date;
  notBefore?: Date;
  validityDays?: number;
  key?: KeyPairPem;
  /** sign with this CA (an intermediate) instead of self-signing (a root) */
  parent?: CaMaterial;
  /** DNS names for a subjectAltName */
  san?: string[];
}

/** A CA certificate for a fresh (or the given) RSA key: self-signed, or issued by `parent`. */
export function createCaCertificate(o: CaCertificateOptions): KeyPairPem & { certPem: string } {
  const kp = o.key ?? generateRsaKeyPair(2048);
  const now = o.now ?? new Date();
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(kp.publicKeyPem);
  c.serialNumber = newSerial();
  c.validity.notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
  c.validity.notAfter = new Date(now.getTime() + (o.validityDays ?? 3650) * DAY);
  c.setSubject(toForgeName(o.subject));
  c.setIssuer(o.parent ? forge.pki.certificateFromPem(o.parent.certPem).subject.attributes : toForgeName(o.subject));
  const ext: unknown[] = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (o.san?.length) ext.push({ name: 'subjectAltName', altNames: o.san.map((v) => ({ type: 2, value: v })) });
  c.setExtensions(ext as never[]);
  signCertificate(c, o.parent?.keyPem ?? kp.privateKeyPem);
  return { ...kp, certPem: forge.pki.certificateToPem(c).replace(/\r\n/g, '\n') };
}

/** A self-signed TLS server certificate for a listener on 127.0.0.1 (the sandbox's admin APIs). */
export function createTlsCertificate(cn: string, o: { now?: Date; validityDays?: number; key?: KeyPairPem } = {}): KeyPairPem & { certPem: string } {
  const kp = o.key ?? generateRsaKeyPair(2048);
  const now = o.now ?? new Date();
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(kp.publicKeyPem);
  c.serialNumber = newSerial();
  c.validity.notBefore = new Date(now.getTime() - DAY);
  c.validity.notAfter = new Date(now.getTime() + (o.validityDays ?? 3650) * DAY);
  const name = toForgeName([{ name: 'CN', value: cn }]);
  c.setSubject(name);
  c.setIssuer(name);
  c.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  signCertificate(c, kp.privateKeyPem);
  return { ...kp, certPem: forge.pki.certificateToPem(c).replace(/\r\n/g, '\n') };
}

export interface IssueOptions {
  usage: CertUsage;
  now?: Date;
  notBefore?: Date;
  notAfter?: Date;
  validityDays?: number;
  /** hex; a random one by default */
  serial?: string;
  /** an authorityInfoAccess OCSP URL */
  ocspUrl?: string;
  /** without a SAN in the CSR, add DNS:<CN> (X-Road's CertificateDetails needs a non-empty SAN) */
  defaultSan?: boolean;
}

/**
 * Sign a PKCS#10 CSR: subject and key from the CSR, key usage by X-Road's KeyUsageInfo rules
 * (auth: digitalSignature+keyEncipherment, clientAuth+serverAuth; sign: nonRepudiation only).
 */
export function issueCertificate(ca: CaMaterial, csrInput: Buffer | string, o: IssueOptions): { certPem: string; der: Buffer; serial: string } {
  const csr = parseCsr(csrInput);
  if (!csr.signatureValid) throw new UsageError('CSR signature does not verify');
  const now = o.now ?? new Date();
  const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
  const notAfter = o.notAfter ?? new Date(now.getTime() + (o.validityDays ?? 365) * DAY);
  if (notAfter <= notBefore) throw new UsageError('notAfter must be after notBefore');
  const serial = (o.serial ?? newSerial()).toLowerCase();
  if (!/^[0-9a-f]+$/.test(serial)) throw new UsageError(`serial must be hex: ${serial}`);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(csr.publicKeyPem);
  c.serialNumber = serial;
  c.validity.notBefore = notBefore;
  c.validity.notAfter = notAfter;
  c.setSubject(toForgeName(csr.subject));
  c.setIssuer(caCert.subject.attributes);
  const ext: unknown[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    o.usage === 'auth'
      ? { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }
      : { name: 'keyUsage', nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (o.usage === 'auth') ext.push({ name: 'extKeyUsage', clientAuth: true, serverAuth: true });
  const cn = csr.subject.find((a) => a.name === 'CN')?.value ?? 'localhost';
  const san = csr.san.length ? csr.san : o.defaultSan ? [dnsName(cn)] : [];
  if (san.length) ext.push({ name: 'subjectAltName', altNames: san.map((v) => ({ type: 2, value: v })) });
  if (o.ocspUrl) {
    const a = forge.asn1;
    const aia = a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
      a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
        a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
        a.create(a.Class.CONTEXT_SPECIFIC, 6, false, o.ocspUrl),
      ]),
    ]);
    ext.push({ id: '1.3.6.1.5.5.7.1.1', critical: false, value: a.toDer(aia).getBytes() });
  }
  c.setExtensions(ext as never[]);
  signCertificate(c, ca.keyPem);
  const certPem = forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');
  return { certPem, der: pemToDer(certPem), serial };
}

interface Revocation {
  reason: RevocationReason;
  at: string;
}

export interface CaJson {
  name: string;
  keyPem: string;
  certPem: string;
  issued: string[];
  revoked: Record<string, Revocation>;
}

/** A CA with memory: what it issued and revoked, for an OCSP responder's answers. */
export class CertificateAuthority implements CaMaterial {
  private issued = new Set<string>();
  private revoked = new Map<string, Revocation>();

  private constructor(
    readonly name: string,
    readonly keyPem: string,
    readonly certPem: string,
  ) {}

  /** A self-signed root, or an intermediate when `parent` is given. */
  static create(name: string, opts: { parent?: CertificateAuthority; validityDays?: number; now?: Date } = {}): CertificateAuthority {
    const m = createCaCertificate({ subject: [{ name: 'CN', value: name }], parent: opts.parent, validityDays: opts.validityDays, now: opts.now });
    const ca = new CertificateAuthority(name, m.privateKeyPem, m.certPem);
    opts.parent?.issued.add(bare(forge.pki.certificateFromPem(m.certPem).serialNumber));
    return ca;
  }

  signCsr(csrPem: string, opts: Omit<IssueOptions, 'serial'> & { serial?: string }): string {
    if (opts.serial !== undefined && this.issued.has(bare(opts.serial))) throw new UsageError(`serial ${opts.serial.toUpperCase()} already issued`);
    const r = issueCertificate(this, csrPem, opts);
    this.issued.add(bare(r.serial));
    return r.certPem;
  }

  revoke(serialHex: string, reason: RevocationReason = 'unspecified', at: Date = new Date()): void {
    const s = bare(serialHex);
    if (!this.issued.has(s)) throw new UsageError(`serial ${serialHex.toUpperCase()} was not issued by ${this.name}`);
    this.revoked.set(s, { reason, at: at.toISOString() });
  }

  status(serialHex: string): { status: 'good' | 'revoked' | 'unknown'; revokedAt?: Date; reason?: RevocationReason } {
    const s = bare(serialHex);
    if (!this.issued.has(s)) return { status: 'unknown' };
    const r = this.revoked.get(s);
    return r ? { status: 'revoked', revokedAt: new Date(r.at), reason: r.reason } : { status: 'good' };
  }

  toJSON(): CaJson {
    return { name: this.name, keyPem: this.keyPem, certPem: this.certPem, issued: [...this.issued], revoked: Object.fromEntries(this.revoked) };
  }

  static fromJSON(j: CaJson): CertificateAuthority {
    const ca = new CertificateAuthority(j.name, j.keyPem, j.certPem);
    for (const s of j.issued) ca.issued.add(bare(s));
    for (const [s, r] of Object.entries(j.revoked)) ca.revoked.set(bare(s), r);
    return ca;
  }
}
