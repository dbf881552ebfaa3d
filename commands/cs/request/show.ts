import { Args } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { requestRowProps } from '../../../src/cli/cert-schemas.js';
import { S } from '../../../src/cli/schema.js';
import { showRequest } from '../../../src/cs/requests.js';

type Result = Awaited<ReturnType<typeof showRequest>>;

export default class CsRequestShow extends XrdCommand<typeof CsRequestShow, Result> {
  static override summary = 'Show one management request.';
  static override examples = ['<%= config.bin %> cs request show -c cs 42'];
  static override args = { id: Args.integer({ required: true, description: 'request id' }) };
  static override resultSchema = S.obj({
    ...requestRowProps,
    comments: S.nullable(S.str()),
    certificateHash: S.nullable(S.str()),
    certificateSubject: S.nullable(S.str()),
  });

  protected async execute(): Promise<Result> {
    return showRequest(await this.centralServer(this.centralContext()), this.args.id);
  }

  protected override render(r: Result): void {
    this.out.fields(r);
  }
}
