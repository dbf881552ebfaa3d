import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class EndpointDelete extends XrdCommand<typeof EndpointDelete, ActionResult> {
  static override summary = 'Delete a REST endpoint (generated ones cannot be deleted).';
  static override examples = ['<%= config.bin %> endpoint delete -c ss1 --client DEV:GOV:1001:REPORTS --code reports --method GET --path "/monthly/*"'];
  static override args = {};
  static override flags = {
    client: clientFlag,
    code: Flags.string({ required: true, description: 'service code' }),
    method: Flags.string({ required: true, options: ['*', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'], description: 'HTTP method' }),
    path: Flags.string({ required: true, description: 'path, e.g. /pets/*' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'delete-endpoint', `${this.flags.method} ${this.flags.path}`, {
      clientId: this.flags.client,
      sdUrl: null,
      code: this.flags.code,
      method: this.flags.method,
      path: this.flags.path,
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
