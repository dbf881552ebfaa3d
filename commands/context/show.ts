import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { contextViewProps } from '../../src/cli/context-schema.js';
import { S } from '../../src/cli/schema.js';
import { showContext, type ContextView } from '../../src/config/context-ops.js';

export default class ContextShow extends XrdCommand<typeof ContextShow, ContextView> {
  static override summary = 'Show one context (the current one by default).';
  static override examples = ['<%= config.bin %> context show ss1', '<%= config.bin %> context show --json'];
  static override args = { name: Args.string({ description: 'context name' }) };
  static override resultSchema = S.obj(contextViewProps);

  protected async execute(): Promise<ContextView> {
    return showContext(this.args.name ?? this.flags.context);
  }

  protected override render(r: ContextView): void {
    this.out.fields(r);
  }
}
