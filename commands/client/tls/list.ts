import { XrdCommand } from '../../../src/cli/base.js';
import { clientFlag } from '../../../src/cli/action-command.js';
import { S, item } from '../../../src/cli/schema.js';

type Row = { hash: string; subject: string; notAfter: string };
type Result = { server: string; client: string; certificates: Row[] };

export default class ClientTlsList extends XrdCommand<typeof ClientTlsList, Result> {
  static override summary = 'List the information system TLS certificates of a client.';
  static override examples = ['<%= config.bin %> client tls list -c ss1 --client DEV:GOV:1001:REPORTS'];
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({ server: S.str(), client: S.str(), certificates: S.arr(item({ hash: S.str(), subject: S.str(), notAfter: S.str() })) });

  protected async execute(): Promise<Result> {
    const { listClientTls } = await import('../../../src/services/client-tls.js');
    return listClientTls(await this.securityServer(), this.flags.client);
  }

  protected override render(r: Result): void {
    this.out.table(r.certificates, [
      { header: 'HASH', get: (c) => c.hash.slice(0, 16) },
      { header: 'SUBJECT', get: (c) => c.subject },
      { header: 'EXPIRES', get: (c) => c.notAfter.slice(0, 10) },
    ]);
  }
}
