import { XrdCommand } from '../../src/cli/base.js';
import { clientFlag } from '../../src/cli/action-command.js';
import { S, item } from '../../src/cli/schema.js';
import { serviceRows, type ServiceRow } from '../../src/server/listings.js';

type Result = { server: string; client: string; services: ServiceRow[] };

export default class ServiceList extends XrdCommand<typeof ServiceList, Result> {
  static override summary = "List a client's service descriptions, services and endpoints.";
  static override examples = ['<%= config.bin %> service list -c ss1 --client DEV:GOV:1001:REPORTS'];
  static override flags = { client: clientFlag };
  static override resultSchema = S.obj({
    server: S.str(),
    client: S.str(),
    services: S.arr(
      item({
        description: S.str(),
        type: S.str(),
        disabled: S.bool(),
        code: S.str(),
        fullCode: S.nullable(S.str()),
        url: S.str(),
        timeout: S.int(),
        sslAuth: S.nullable(S.bool()),
        endpoints: S.arr(S.str()),
      }),
    ),
  });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, client: this.flags.client, services: serviceRows(await api.getClientServiceDescriptions(this.flags.client)) };
  }

  protected override render(r: Result): void {
    this.out.table(r.services, [
      { header: 'SERVICE', get: (s) => s.code },
      { header: 'TYPE', get: (s) => s.type },
      { header: 'ENABLED', get: (s) => (s.disabled ? 'no' : 'yes') },
      { header: 'TIMEOUT', get: (s) => s.timeout },
      { header: 'URL', get: (s) => s.url },
      { header: 'ENDPOINTS', get: (s) => s.endpoints.length },
      { header: 'DESCRIPTION', get: (s) => s.description },
    ]);
  }
}
