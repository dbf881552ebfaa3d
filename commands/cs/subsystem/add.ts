import { Args, Flags } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { actCentral, actionResultSchema, type ActionResult } from '../../../src/cli/action-command.js';

export default class CsSubsystemAdd extends XrdCommand<typeof CsSubsystemAdd, ActionResult> {
  static override summary = 'Add a subsystem at the central server (the same action apply runs).';
  static override examples = ['<%= config.bin %> cs subsystem add -c cs DEV:GOV:1001:REPORTS'];
  static override args = { id: Args.string({ required: true, description: 'subsystem id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'subsystem' } as const;
  static override flags = { name: Flags.string({ description: 'subsystem name' }) };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const cs = await this.centralServer(this.centralContext());
    return actCentral(cs, 'cs-add-subsystem', this.args.id, { id: this.args.id, name: this.flags.name ?? null });
  }

  protected override render(r: ActionResult): void {
    this.out.print(`${r.target}: ${r.changed ? 'added' : 'already there'}`);
  }
}
