import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';
import { generateRsaKeyPair } from './keys.js';

export type RevocationReason = 'unspecified' | 'keyCompromise' | 'caCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';

export interface SignOptions {
  usage: 'auth' | 'sign';
  notBefore?: Date;
  notAfter?: Date;
  validityDays?: number;
  /** hex */
  serial?: string;
}

interface Revocation { reason: RevocationReason; at: string }

export interface CaJson {
  name: string;
  keyPem: string;
  certPem: string;
  issued: string[];
  revoked: Record<string, Revocation>;
}

const DAY = 86_400_000;

function newSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex').toUpperCase();
}

/** A small real CA (node-forge) issuing X-Road auth and sign certificates, with revocation state for OCSP. */
export class CertificateAuthority {
  private issued = new Set<string>();
  private revoked = new Map<string, Revocation>();

  private constructor(readonly name: string, readonly keyPem: string, readonly certPem: string) {}

  /** A self-signed root, or an intermediate when `parent` is given. */
  static create(name: string, opts: { parent?: CertificateAuthority; validityDays?: number; now?: Date } = {}): CertificateAuthority {
    const kp = generateRsaKeyPair(2048);
    const key = forge.pki.privateKeyFromPem(kp.privateKeyPem) as forge.pki.rsa.PrivateKey;
    const now = opts.now ?? new Date();
    const c = forge.pki.createCertificate();
    c.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    c.serialNumber = newSerial();
    c.validity.notBefore = new Date(now.getTime() - 60_000);
    c.validity.notAfter = new Date(now.getTime() + (opts.validityDays ?? 3650) * DAY);
    c.setSubject([{ shortName: 'CN', value: name }]);
    const signerKey = opts.parent ? forge.pki.privateKeyFromPem(opts.parent.keyPem) : key;
    c.setIssuer(opts.parent ? forge.pki.certificateFromPem(opts.parent.certPem).subject.attributes : [{ shortName: 'CN', value: name }]);
    c.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    c.sign(signerKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    const ca = new CertificateAuthority(name, kp.privateKeyPem, forge.pki.certificateToPem(c));
    opts.parent?.issued.add(c.serialNumber.toUpperCase());
    return ca;
  }

  /**
   * Sign a PKCS#10 CSR. auth: digitalSignature+keyEncipherment, clientAuth+serverAuth;
   * sign: nonRepudiation only (X-Road's KeyUsageInfo rules).
   */
  signCsr(csrPem: string, opts: SignOptions): string {
    let csr: ReturnType<typeof forge.pki.certificationRequestFromPem>;
    try {
      csr = forge.pki.certificationRequestFromPem(csrPem);
    } catch (e) {
      throw new UsageError(`not a PKCS#10 CSR: ${(e as Error).message}`);
    }
    if (!csr.verify()) throw new UsageError('CSR signature does not verify');
    const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
    const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + (opts.validityDays ?? 365) * DAY);
    if (notAfter <= notBefore) throw new UsageError('notAfter must be after notBefore');
    const serial = (opts.serial ?? newSerial()).toUpperCase();
    if (!/^[0-9A-F]+$/.test(serial)) throw new UsageError(`serial must be hex: ${serial}`);
    if (this.issued.has(serial)) throw new UsageError(`serial ${serial} already issued`);
    const caCert = forge.pki.certificateFromPem(this.certPem);
    const c = forge.pki.createCertificate();
    c.publicKey = csr.publicKey as forge.pki.PublicKey;
    c.serialNumber = serial;
    c.validity.notBefore = notBefore;
    c.validity.notAfter = notAfter;
    c.setSubject(csr.subject.attributes);
    c.setIssuer(caCert.subject.attributes);
    const ext: unknown[] = [
      { name: 'basicConstraints', cA: false, critical: true },
      opts.usage === 'auth'
        ? { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }
        : { name: 'keyUsage', nonRepudiation: true, critical: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ];
    if (opts.usage === 'auth') ext.push({ name: 'extKeyUsage', clientAuth: true, serverAuth: true });
    const req = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name: string }[] } | null)?.extensions;
    const san = req?.find((e) => e.name === 'subjectAltName');
    if (san) ext.push(san);
    c.setExtensions(ext as never[]);
    c.sign(forge.pki.privateKeyFromPem(this.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    this.issued.add(serial);
    return forge.pki.certificateToPem(c);
  }

  revoke(serialHex: string, reason: RevocationReason = 'unspecified', at: Date = new Date()): void {
    const s = serialHex.toUpperCase();
    if (!this.issued.has(s)) throw new UsageError(`serial ${s} was not issued by ${this.name}`);
    this.revoked.set(s, { reason, at: at.toISOString() });
  }

  status(serialHex: string): { status: 'good' | 'revoked' | 'unknown'; revokedAt?: Date; reason?: RevocationReason } {
    const s = serialHex.toUpperCase().replace(/^0+(?=.)/, '');
    const key = [...this.issued].find((i) => i.replace(/^0+(?=.)/, '') === s);
    if (!key) return { status: 'unknown' };
    const r = this.revoked.get(key);
    return r ? { status: 'revoked', revokedAt: new Date(r.at), reason: r.reason } : { status: 'good' };
  }

  toJSON(): CaJson {
    return { name: this.name, keyPem: this.keyPem, certPem: this.certPem, issued: [...this.issued], revoked: Object.fromEntries(this.revoked) };
  }

  static fromJSON(j: CaJson): CertificateAuthority {
    const ca = new CertificateAuthority(j.name, j.keyPem, j.certPem);
    for (const s of j.issued) ca.issued.add(s);
    for (const [s, r] of Object.entries(j.revoked)) ca.revoked.set(s, r);
    return ca;
  }
}
