import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class GroupAdd extends XrdCommand<typeof GroupAdd, ActionResult> {
  static override summary = 'Add a local group to a client (with members).';
  static override examples = [
    '<%= config.bin %> group add -c ss1 --client DEV:GOV:1001:REPORTS --code readers --description Readers --member DEV:GOV:1002:TAXES',
  ];
  static override args = {};
  static override idInputs = { member: 'subsystem', code: 'part' } as const;
  static override flags = {
    client: clientFlag,
    code: Flags.string({ required: true, description: 'group code' }),
    description: Flags.string({ required: true, description: 'description' }),
    member: Flags.string({ multiple: true, description: 'member subsystem id (repeatable)' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'add-local-group', this.flags.code, {
      clientId: this.flags.client,
      code: this.flags.code,
      description: this.flags.description,
      members: this.flags.member ?? [],
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
