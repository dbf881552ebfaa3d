import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, type ActionResult } from '../../src/cli/action-command.js';

export default class ClientUnregister extends XrdCommand<typeof ClientUnregister, ActionResult> {
  static override summary = 'Send a client deletion request to the central server (takes effect at once).';
  static override examples = [
    '<%= config.bin %> client unregister -c ss1 DEV:GOV:1001:REPORTS',
    '<%= config.bin %> client unregister -c ss1 DEV:GOV:1001:REPORTS --yes --json',
  ];
  static override args = { id: Args.string({ required: true, description: 'client id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'client' } as const;
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    await this.confirmIrreversible(
      `unregister ${this.args.id} of ${api.server} at the central server: its services stop being reachable, and this cannot be undone`,
      api.server,
    );
    return act(api, 'unregister-client', this.args.id, { id: this.args.id });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
