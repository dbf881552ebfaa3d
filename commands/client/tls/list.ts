import { XrdCommand } from '../../../src/cli/base.js';
import { clientFlag } from '../../../src/cli/action-command.js';
import { S, item } from '../../../src/cli/schema.js';

type Row = { hash: string; subject: string; notAfter: string };
type Result = { server: string; client: string; certificates: Row[] };

export default class ClientTlsList extends XrdCommand<typeof ClientTlsList, Result> {
  static override summary = 'List the information system TLS certificates of a client.';
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({ server: S.str(), client: S.str(), certificates: S.arr(item({ hash: S.str(), subject: S.str(), notAfter: S.str() })) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    const rows = await api.getClientTlsCertificates(this.flags.client);
    return { server: api.server, client: this.flags.client, certificates: rows.map((c) => ({ hash: c.hash, subject: c.subject_distinguished_name ?? '', notAfter: c.not_after ?? '' })) };
  }

  protected override render(r: Result): void {
    this.out.table(r.certificates, [
      { header: 'HASH', get: (c) => c.hash.slice(0, 16) },
      { header: 'SUBJECT', get: (c) => c.subject },
      { header: 'EXPIRES', get: (c) => c.notAfter.slice(0, 10) },
    ]);
  }
}
