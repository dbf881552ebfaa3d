import { XrdCommand } from '../../src/cli/base.js';
import { clientFlag } from '../../src/cli/action-command.js';
import { S, item } from '../../src/cli/schema.js';
import { listAccessRights } from '../../src/server/listings.js';

type Result = { server: string; client: string; rights: { subject: string; type: string; services: string[] }[] };

export default class AccessList extends XrdCommand<typeof AccessList, Result> {
  static override summary = "List who may call a client's services.";
  static override examples = ['<%= config.bin %> access list -c ss1 --client DEV:GOV:1001:REPORTS'];
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({
    server: S.str(),
    client: S.str(),
    rights: S.arr(item({ subject: S.str(), type: S.str(), services: S.arr(S.str()) })),
  });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, client: this.flags.client, rights: await listAccessRights(api, this.flags.client) };
  }

  protected override render(r: Result): void {
    this.out.table(r.rights, [
      { header: 'SUBJECT', get: (x) => x.subject },
      { header: 'TYPE', get: (x) => x.type },
      { header: 'SERVICES', get: (x) => x.services.join(', ') },
    ]);
  }
}
