import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { removeContext } from '../../src/config/context-ops.js';

type Result = { removed: string; current: string | null };

export default class ContextRemove extends XrdCommand<typeof ContextRemove, Result> {
  static override summary = 'Remove a context (the server is not touched).';
  static override examples = ['<%= config.bin %> context remove ss1 --yes'];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };
  static override resultSchema = S.obj({ removed: S.str(), current: S.nullable(S.str()) });

  protected async execute(): Promise<Result> {
    return removeContext(this.args.name);
  }

  protected override render(r: Result): void {
    this.out.print(`context ${r.removed} removed`);
  }
}
