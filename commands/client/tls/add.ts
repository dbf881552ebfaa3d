import { Args } from '@oclif/core';
import { READ_LIMITS, readBoundedFile } from '../../../src/fs/files.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { clientFlag } from '../../../src/cli/action-command.js';
import { S } from '../../../src/cli/schema.js';
import { UsageError } from '../../../src/errors/index.js';

type Result = { server: string; client: string; hash: string; subject: string; notAfter: string; changed: boolean };

export default class ClientTlsAdd extends XrdCommand<typeof ClientTlsAdd, Result> {
  static override summary = "Add an information system's TLS certificate to a client (checked locally first).";
  static override args = { file: Args.string({ required: true, description: 'certificate file (PEM or DER)' }) };
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({ server: S.str(), client: S.str(), hash: S.str(), subject: S.str(), notAfter: S.str(), changed: S.bool() });

  protected async execute(): Promise<Result> {
    const bytes = readBoundedFile(this.args.file, { maxBytes: READ_LIMITS.certificate, what: 'certificate' });
    const { parseCertificate } = await import('../../../src/pki/x509.js');
    let cert;
    try {
      cert = parseCertificate(bytes);
    } catch (e) {
      throw new UsageError(`${this.args.file}: not an X.509 certificate (PEM or DER): ${(e as Error).message}`);
    }
    if (cert.notAfter.getTime() < Date.now()) throw new UsageError(`${this.args.file}: certificate expired on ${cert.notAfter.toISOString()}`);
    const api = await this.securityServer();
    const have = await api.getClientTlsCertificates(this.flags.client);
    const changed = !have.some((c) => c.hash.toUpperCase() === cert.sha256Hex);
    if (changed) await api.addClientTlsCertificate(this.flags.client, cert.der);
    return { server: api.server, client: this.flags.client, hash: cert.sha256Hex, subject: cert.subject.replace(/\n/g, ', '), notAfter: cert.notAfter.toISOString(), changed };
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `TLS certificate ${r.hash.slice(0, 16)}… (${r.subject}) added to ${r.client}` : `${r.client} already has TLS certificate ${r.hash.slice(0, 16)}…`);
  }
}
