import type { ActionParams } from '../../src/engine/kinds/index.js';
import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class EndpointAdd extends XrdCommand<typeof EndpointAdd, ActionResult> {
  static override summary = 'Add a REST endpoint to a service.';
  static override examples = ['<%= config.bin %> endpoint add -c ss1 --client DEV:GOV:1001:REPORTS --code reports --method GET --path "/monthly/*"'];
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
    return act(api, 'add-endpoint', `${this.flags.method} ${this.flags.path}`, {
      clientId: this.flags.client,
      sdUrl: null,
      code: this.flags.code,
      method: this.flags.method as ActionParams<'add-endpoint'>['method'],
      path: this.flags.path,
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
