import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { contextViewProps } from '../../src/cli/context-schema.js';
import { S } from '../../src/cli/schema.js';
import { useContext, type ContextView } from '../../src/config/context-ops.js';

export default class ContextUse extends XrdCommand<typeof ContextUse, ContextView> {
  static override summary = 'Make a context the current one.';
  static override examples = ['<%= config.bin %> context use ss1'];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };
  static override resultSchema = S.obj(contextViewProps);

  protected async execute(): Promise<ContextView> {
    return useContext(this.args.name);
  }

  protected override render(r: ContextView): void {
    this.out.print(`current context: ${r.name}`);
  }
}
