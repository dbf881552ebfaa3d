import { XrdCommand } from '../../../src/cli/base.js';
import { S, item } from '../../../src/cli/schema.js';
import { listCentralClients } from '../../../src/server/listings.js';

type Result = { server: string; subsystems: { id: string; name: string | null }[] };

export default class CsSubsystemList extends XrdCommand<typeof CsSubsystemList, Result> {
  static override summary = 'List the subsystems the central server knows.';
  static override examples = ['<%= config.bin %> cs subsystem list -c cs'];
  static override resultSchema = S.obj({ server: S.str(), subsystems: S.arr(item({ id: S.str(), name: S.nullable(S.str()) })) });

  protected async execute(): Promise<Result> {
    const cs = await this.centralServer(this.centralContext());
    return { server: cs.server, subsystems: await listCentralClients(cs, 'SUBSYSTEM') };
  }

  protected override render(r: Result): void {
    this.out.table(r.subsystems, [
      { header: 'SUBSYSTEM', get: (m) => m.id },
      { header: 'NAME', get: (m) => m.name ?? '' },
    ]);
  }
}
