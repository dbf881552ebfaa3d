import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, type ActionResult } from '../../src/cli/action-command.js';

export default class ClientDelete extends XrdCommand<typeof ClientDelete, ActionResult> {
  static override summary = 'Delete a client from the security server (it must be unregistered or never registered).';
  static override examples = [
    '<%= config.bin %> client delete -c ss1 DEV:GOV:1001:REPORTS',
    '<%= config.bin %> client delete -c ss1 DEV:GOV:1001:REPORTS --yes --json',
  ];
  static override args = { id: Args.string({ required: true, description: 'client id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'client' } as const;
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    await this.confirmIrreversible(`delete ${this.args.id} from ${api.server} with its service descriptions and access rights: cannot be undone`, api.server);
    return act(api, 'delete-client', this.args.id, { id: this.args.id });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
