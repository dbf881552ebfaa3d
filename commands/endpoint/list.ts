import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { clientFlag } from '../../src/cli/action-command.js';
import { S } from '../../src/cli/schema.js';
import { UsageError } from '../../src/errors/index.js';
import { serviceRows } from '../../src/server/listings.js';

type Result = { server: string; client: string; code: string; endpoints: string[] };

export default class EndpointList extends XrdCommand<typeof EndpointList, Result> {
  static override summary = 'List the endpoints of a REST service.';
  static override examples = ['<%= config.bin %> endpoint list -c ss1 --client DEV:GOV:1001:REPORTS --code reports'];
  static override flags = { client: clientFlag, code: Flags.string({ required: true, description: 'service code' }) };
  static override resultSchema = S.obj({ server: S.str(), client: S.str(), code: S.str(), endpoints: S.arr(S.str()) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    const svc = serviceRows(await api.getClientServiceDescriptions(this.flags.client)).find((s) => s.code === this.flags.code);
    if (!svc)
      throw new UsageError(`no service ${this.flags.code} on ${this.flags.client}`, {
        server: api.server,
        hint: `xrdctl service list --client ${this.flags.client}`,
      });
    return { server: api.server, client: this.flags.client, code: this.flags.code, endpoints: svc.endpoints };
  }

  protected override render(r: Result): void {
    this.out.lines(r.endpoints);
  }
}
