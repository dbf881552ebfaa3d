import { Args, Flags } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { actCentral, actionResultSchema, type ActionResult } from '../../../src/cli/action-command.js';

export default class CsMemberAdd extends XrdCommand<typeof CsMemberAdd, ActionResult> {
  static override summary = 'Add a member at the central server (the same action apply runs).';
  static override examples = ['<%= config.bin %> cs member add -c cs DEV:COM:2001 --name "Acme Ltd"'];
  static override args = { id: Args.string({ required: true, description: 'member id INSTANCE:CLASS:CODE' }) };
  static override idInputs = { id: 'member' } as const;
  static override flags = { name: Flags.string({ required: true, description: 'member name' }) };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const cs = await this.centralServer(this.centralContext());
    return actCentral(cs, 'cs-add-member', this.args.id, { id: this.args.id, name: this.flags.name });
  }

  protected override render(r: ActionResult): void {
    this.out.print(`${r.target}: ${r.changed ? 'added' : 'already there'}`);
  }
}
