import { Flags } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { requestRowProps } from '../../../src/cli/cert-schemas.js';
import { S, item } from '../../../src/cli/schema.js';
import { listRequests, requestStatuses, requestTypes, type RequestRow } from '../../../src/cs/requests.js';

type Result = { server: string; requests: RequestRow[] };

export default class CsRequestList extends XrdCommand<typeof CsRequestList, Result> {
  static override summary = 'List management requests at the central server.';
  static override examples = ['<%= config.bin %> cs request list -c cs --status WAITING', '<%= config.bin %> cs request list -c ss1 --json'];
  static override idInputs = { server: 'server' } as const;
  static override flags = {
    status: Flags.string({ options: requestStatuses, description: 'only this status (e.g. WAITING)' }),
    type: Flags.string({ multiple: true, options: requestTypes, description: 'only these types' }),
    server: Flags.string({ description: 'only requests of this security server id INSTANCE:CLASS:CODE:SERVERCODE' }),
    max: Flags.integer({ default: 500, min: 1, max: 100000, description: 'at most this many' }),
  };
  static override resultSchema = S.obj({ server: S.str(), requests: S.arr(item(requestRowProps)) });

  protected async execute(): Promise<Result> {
    const cs = await this.centralServer(this.centralContext());
    return {
      server: cs.server,
      requests: await listRequests(cs, { status: this.flags.status, types: this.flags.type, serverId: this.flags.server, max: this.flags.max }),
    };
  }

  protected override render(r: Result): void {
    this.out.table(r.requests, [
      { header: 'ID', get: (x) => x.id },
      { header: 'TYPE', get: (x) => x.type.replace(/_REQUEST$/, '') },
      { header: 'STATUS', get: (x) => x.status ?? '-' },
      { header: 'SERVER', get: (x) => x.serverId },
      { header: 'CLIENT', get: (x) => x.clientId ?? '' },
      { header: 'CREATED', get: (x) => x.createdAt?.slice(0, 19) ?? '' },
    ]);
  }
}
