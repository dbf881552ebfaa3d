import { XrdCommand } from '../../src/cli/base.js';
import { S, item } from '../../src/cli/schema.js';
import { listClients, type ClientRow } from '../../src/server/listings.js';

type Result = { server: string; clients: ClientRow[] };

export default class ClientList extends XrdCommand<typeof ClientList, Result> {
  static override summary = 'List the clients (owner and subsystems) of a security server with their registration status.';
  static override examples = ['<%= config.bin %> client list -c ss1', '<%= config.bin %> client list -c ss1 --json'];
  static override resultSchema = S.obj({
    server: S.str(),
    clients: S.arr(
      item({
        id: S.str(),
        name: S.nullable(S.str()),
        status: S.nullable(S.str()),
        owner: S.bool(),
        connectionType: S.nullable(S.str()),
        hasValidLocalSignCert: S.nullable(S.bool()),
      }),
    ),
  });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, clients: await listClients(api) };
  }

  protected override render(r: Result): void {
    this.out.table(r.clients, [
      { header: 'CLIENT', get: (c) => c.id + (c.owner ? ' (owner)' : '') },
      { header: 'NAME', get: (c) => c.name ?? '' },
      { header: 'STATUS', get: (c) => c.status ?? '' },
      { header: 'SIGN CERT', get: (c) => (c.hasValidLocalSignCert ? 'yes' : 'no') },
    ]);
  }
}
