import type { ActionParams } from '../../src/engine/kinds/index.js';
import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, clientFlag, type ActionResult } from '../../src/cli/action-command.js';

export default class ServiceAddDescription extends XrdCommand<typeof ServiceAddDescription, ActionResult> {
  static override summary = 'Add a service description (WSDL, OPENAPI3 or REST) to a client and enable it.';
  static override examples = [
    '<%= config.bin %> service add-description -c ss1 --client DEV:GOV:1001:REPORTS --type REST --url https://reports.example.org/api --rest-code reports',
    '<%= config.bin %> service add-description -c ss1 --client DEV:GOV:1001:REPORTS --type WSDL --url https://reports.example.org/service.wsdl',
  ];
  static override args = {};
  static override flags = {
    client: clientFlag,
    type: Flags.string({ required: true, options: ['WSDL', 'OPENAPI3', 'REST'], description: 'description type' }),
    url: Flags.string({ required: true, description: 'WSDL / OpenAPI URL, or REST base URL' }),
    'rest-code': Flags.string({ description: 'service code (REST, OPENAPI3)' }),
    disabled: Flags.boolean({ description: 'leave it disabled' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    return act(api, 'add-service-description', this.flags.url, {
      clientId: this.flags.client,
      type: this.flags.type as ActionParams<'add-service-description'>['type'],
      url: this.flags.url,
      restServiceCode: this.flags['rest-code'] ?? null,
      disabled: this.flags.disabled,
    });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
