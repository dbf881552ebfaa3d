import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class ServiceSet extends XrdCommand<typeof ServiceSet, ActionResult> {
  static override summary = "Set a service's timeout, URL or TLS verification of the information system.";
  static override examples = ['<%= config.bin %> service set -c ss1 --client DEV:GOV:1001:REPORTS --code reports --timeout 90'];
  static override args = {};
  static override flags = {
    client: clientFlag,
    code: Flags.string({ required: true, description: 'service code' }),
    timeout: Flags.integer({ min: 0, max: 1000, description: 'timeout in seconds' }),
    url: Flags.string({ description: 'service URL' }),
    'ssl-auth': Flags.boolean({ allowNo: true, description: 'verify the information system TLS certificate' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'update-service', this.flags.code, {
      clientId: this.flags.client,
      sdUrl: null,
      code: this.flags.code,
      timeout: this.flags.timeout ?? null,
      serviceUrl: this.flags.url ?? null,
      sslAuth: this.flags['ssl-auth'] ?? null,
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
