import { Args } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { S } from '../../../src/cli/schema.js';
import { decideRequest } from '../../../src/cs/requests.js';

type Result = Awaited<ReturnType<typeof decideRequest>>;

export default class CsRequestDecline extends XrdCommand<typeof CsRequestDecline, Result> {
  static override summary = 'Decline a waiting management request (the security server is not told; it stays REGISTRATION_IN_PROGRESS).';
  static override examples = ['<%= config.bin %> cs request decline -c cs 42 --yes'];
  static override args = { id: Args.integer({ required: true, description: 'request id' }) };
  static override resultSchema = S.obj({ id: S.int(), decision: S.enum(['approve', 'decline']), changed: S.bool(), status: S.str() });

  protected async execute(): Promise<Result> {
    const cs = await this.centralServer(this.centralContext());
    await this.confirm(`decline management request ${this.args.id} on ${cs.server}?`);
    return decideRequest(cs, this.args.id, 'decline');
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `request ${r.id}: ${r.status}` : `request ${r.id} was already ${r.status}`);
  }
}
