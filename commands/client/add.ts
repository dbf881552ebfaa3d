import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, type ActionResult } from '../../src/cli/action-command.js';

export default class ClientAdd extends XrdCommand<typeof ClientAdd, ActionResult> {
  static override summary = 'Add a client (subsystem) to the security server (the same action apply runs).';
  static override examples = [
    '<%= config.bin %> client add -c ss1 DEV:GOV:1001:REPORTS --name Reports',
    '<%= config.bin %> client add -c ss1 DEV:GOV:1001:REPORTS --connection-type HTTPS --json',
  ];
  static override args = { id: Args.string({ required: true, description: 'client id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'client' } as const;
  static override flags = {
    name: Flags.string({ description: 'subsystem name' }),
    'connection-type': Flags.string({ options: ['HTTP', 'HTTPS', 'HTTPS_NO_AUTH'], description: 'information system connection type' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'add-client', this.args.id, {
      id: this.args.id,
      name: this.flags.name ?? null,
      connectionType: (this.flags['connection-type'] ?? null) as 'HTTP' | 'HTTPS' | 'HTTPS_NO_AUTH' | null,
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
