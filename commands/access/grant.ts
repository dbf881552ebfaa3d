import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class AccessGrant extends XrdCommand<typeof AccessGrant, ActionResult> {
  static override summary = 'Grant a subject access to services of a client.';
  static override examples = [
    '<%= config.bin %> access grant -c ss1 --client DEV:GOV:1001:REPORTS --subject DEV:GOV:1002:TAXES --code reports',
    '<%= config.bin %> access grant -c ss1 --client DEV:GOV:1001:REPORTS --subject local:readers --code reports --code monthly --json',
  ];
  static override args = {};
  static override flags = {
    client: clientFlag,
    subject: Flags.string({ required: true, description: 'subsystem INSTANCE:CLASS:CODE:SUB, global group INSTANCE:GROUP, or local:CODE' }),
    code: Flags.string({ required: true, multiple: true, description: 'service code (repeatable)' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'grant-access', this.flags.subject, { clientId: this.flags.client, subject: this.flags.subject, codes: this.flags.code });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
