import { Args } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { S } from '../../../src/cli/schema.js';
import { decideRequest } from '../../../src/cs/requests.js';

type Result = Awaited<ReturnType<typeof decideRequest>>;

export default class CsRequestApprove extends XrdCommand<typeof CsRequestApprove, Result> {
  static override summary = 'Approve a waiting management request.';
  static override examples = ['<%= config.bin %> cs request approve -c cs 42'];
  static override args = { id: Args.integer({ required: true, description: 'request id' }) };
  static override resultSchema = S.obj({ id: S.int(), decision: S.enum(['approve', 'decline']), changed: S.bool(), status: S.str() });

  protected async execute(): Promise<Result> {
    const cs = await this.centralServer(this.centralContext());

    return decideRequest(cs, this.args.id, 'approve');
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `request ${r.id}: ${r.status}` : `request ${r.id} was already ${r.status}`);
  }
}
