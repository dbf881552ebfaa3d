import { XrdCommand } from '../../src/cli/base.js';
import { S, item } from '../../src/cli/schema.js';
import { centralServerInfo, securityServerInfo, type ServerInfoResult } from '../../src/server/info.js';

export default class ServerInfo extends XrdCommand<typeof ServerInfo, ServerInfoResult> {
  static override summary = 'Show version, initialization status and tokens of a server.';
  static override examples = ['<%= config.bin %> server info --context ss1', '<%= config.bin %> server info --context cs --json'];

  static override resultSchema = S.obj(
    {
      context: S.str(),
      kind: S.enum(['central', 'security']),
      url: S.str(),
      version: S.str(),
      initialization: { type: 'object', additionalProperties: { type: ['string', 'boolean'] } },
      tokens: S.arr(item({ id: S.str(), name: S.str(), type: S.str(), status: S.str(), loggedIn: S.bool(), available: S.bool(), keys: S.int() })),
    },
    ['tokens'],
  );

  protected async execute(): Promise<ServerInfoResult> {
    const ctx = this.context();
    if (ctx.kind === 'central') return centralServerInfo(ctx, await this.centralServer(ctx));
    return securityServerInfo(ctx, await this.securityServer(ctx));
  }

  protected override render(r: ServerInfoResult): void {
    const o = this.out;
    o.print(`${o.out.bold(r.context)} (${r.kind} server) ${r.url}`);
    o.print(`version: ${r.version}`);
    o.fields(r.initialization);
    if (r.tokens) {
      o.print('');
      o.table(r.tokens, [
        { header: 'TOKEN', get: (t) => t.id },
        { header: 'NAME', get: (t) => t.name },
        { header: 'STATUS', get: (t) => t.status },
        { header: 'LOGGED IN', get: (t) => (t.loggedIn ? o.out.green('yes') : o.out.yellow('no')) },
        { header: 'KEYS', get: (t) => t.keys },
      ]);
    }
  }
}
