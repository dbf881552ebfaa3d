import { XrdCommand } from '../../src/cli/base.js';
import { clientFlag } from '../../src/cli/action-command.js';
import { S, item } from '../../src/cli/schema.js';
import { listGroups } from '../../src/server/listings.js';

type Result = { server: string; client: string; groups: { code: string; description: string; members: string[] }[] };

export default class GroupList extends XrdCommand<typeof GroupList, Result> {
  static override summary = 'List the local groups of a client with their members.';
  static override examples = ['<%= config.bin %> group list -c ss1 --client DEV:GOV:1001:REPORTS'];
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({
    server: S.str(),
    client: S.str(),
    groups: S.arr(item({ code: S.str(), description: S.str(), members: S.arr(S.str()) })),
  });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, client: this.flags.client, groups: await listGroups(api, this.flags.client) };
  }

  protected override render(r: Result): void {
    this.out.table(r.groups, [
      { header: 'GROUP', get: (g) => g.code },
      { header: 'DESCRIPTION', get: (g) => g.description },
      { header: 'MEMBERS', get: (g) => g.members.join(', ') },
    ]);
  }
}
