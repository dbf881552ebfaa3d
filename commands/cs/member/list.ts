import { XrdCommand } from '../../../src/cli/base.js';
import { S, item } from '../../../src/cli/schema.js';
import { listCentralClients } from '../../../src/server/listings.js';

type Result = { server: string; members: { id: string; name: string | null }[] };

export default class CsMemberList extends XrdCommand<typeof CsMemberList, Result> {
  static override summary = 'List the members the central server knows.';
  static override examples = ['<%= config.bin %> cs member list -c cs', '<%= config.bin %> cs member list -c ss1 --json'];
  static override resultSchema = S.obj({ server: S.str(), members: S.arr(item({ id: S.str(), name: S.nullable(S.str()) })) });

  protected async execute(): Promise<Result> {
    const cs = await this.centralServer(this.centralContext());
    return { server: cs.server, members: await listCentralClients(cs, 'MEMBER') };
  }

  protected override render(r: Result): void {
    this.out.table(r.members, [
      { header: 'MEMBER', get: (m) => m.id },
      { header: 'NAME', get: (m) => m.name ?? '' },
    ]);
  }
}
