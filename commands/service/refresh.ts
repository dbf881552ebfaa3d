import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class ServiceRefresh extends XrdCommand<typeof ServiceRefresh, ActionResult> {
  static override summary = 'Refresh a service description from its URL.';
  static override examples = ['<%= config.bin %> service refresh -c ss1 --client DEV:GOV:1001:REPORTS --url https://reports.example.org/service.wsdl'];
  static override args = {};
  static override flags = {
    client: clientFlag,
    url: Flags.string({ required: true, description: 'service description URL' }),
    'ignore-warnings': Flags.boolean({ description: 'go ahead when services or endpoints would be added or removed' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'refresh-service-description', this.flags.url, {
      clientId: this.flags.client,
      url: this.flags.url,
      ignoreWarnings: this.flags['ignore-warnings'],
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
