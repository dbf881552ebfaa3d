import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class ServiceEnable extends XrdCommand<typeof ServiceEnable, ActionResult> {
  static override summary = 'Enable a service description.';
  static override examples = ['<%= config.bin %> service enable -c ss1 --client DEV:GOV:1001:REPORTS --url https://reports.example.org/api'];
  static override args = {};
  static override flags = { client: clientFlag, url: Flags.string({ required: true, description: 'service description URL' }) };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'set-service-description-enabled', this.flags.url, { clientId: this.flags.client, url: this.flags.url, disabled: false });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
