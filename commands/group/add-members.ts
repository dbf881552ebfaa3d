import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class GroupAddMembers extends XrdCommand<typeof GroupAddMembers, ActionResult> {
  static override summary = 'Add members to a local group.';
  static override examples = ['<%= config.bin %> group add-members -c ss1 --client DEV:GOV:1001:REPORTS --code readers --member DEV:GOV:1002:TAXES'];
  static override args = {};
  static override idInputs = { member: 'subsystem', code: 'part' } as const;
  static override flags = {
    client: clientFlag,
    code: Flags.string({ required: true, description: 'group code' }),
    member: Flags.string({ required: true, multiple: true, description: 'member subsystem id (repeatable)' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'add-local-group-members', this.flags.code, { clientId: this.flags.client, code: this.flags.code, members: this.flags.member });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
