import { Args } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { clientFlag } from '../../../src/cli/action-command.js';
import { S } from '../../../src/cli/schema.js';

type Result = { server: string; client: string; hash: string; subject: string; notAfter: string; changed: boolean };

export default class ClientTlsAdd extends XrdCommand<typeof ClientTlsAdd, Result> {
  static override summary = "Add an information system's TLS certificate to a client (checked locally first).";
  static override examples = ['<%= config.bin %> client tls add -c ss1 --client DEV:GOV:1001:REPORTS is.crt'];
  static override args = { file: Args.string({ required: true, description: 'certificate file (PEM or DER)' }) };
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({ server: S.str(), client: S.str(), hash: S.str(), subject: S.str(), notAfter: S.str(), changed: S.bool() });

  protected async execute(): Promise<Result> {
    const { addClientTls } = await import('../../../src/services/client-tls.js');
    return addClientTls(() => this.securityServer(), this.flags.client, this.args.file);
  }

  protected override render(r: Result): void {
    this.out.print(
      r.changed
        ? `TLS certificate ${r.hash.slice(0, 16)}… (${r.subject}) added to ${r.client}`
        : `${r.client} already has TLS certificate ${r.hash.slice(0, 16)}…`,
    );
  }
}
