import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class ServiceDisable extends XrdCommand<typeof ServiceDisable, ActionResult> {
  static override summary = 'Disable a service description (its services answer with the notice).';
  static override examples = ['<%= config.bin %> service disable -c ss1 --client DEV:GOV:1001:REPORTS --url https://reports.example.org/api --yes'];
  static override args = {};
  static override flags = { client: clientFlag, url: Flags.string({ required: true, description: 'service description URL' }) };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    await this.confirm(`disable ${this.flags.url} of ${this.flags.client}? Its services stop answering`);
    return act(api, 'set-service-description-enabled', this.flags.url, { clientId: this.flags.client, url: this.flags.url, disabled: true });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
