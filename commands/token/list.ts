import { XrdCommand } from '../../src/cli/base.js';
import { S, item } from '../../src/cli/schema.js';
import { listTokens, type TokenRow } from '../../src/certs/tokens.js';

type Result = { server: string; tokens: TokenRow[] };

export default class TokenList extends XrdCommand<typeof TokenList, Result> {
  static override summary = 'List the tokens of a security server with their login status.';
  static override examples = ['<%= config.bin %> token list -c ss1', '<%= config.bin %> token list -c ss1 --json'];
  static override resultSchema = S.obj({
    server: S.str(),
    tokens: S.arr(
      item({
        id: S.str(),
        name: S.str(),
        type: S.str(),
        status: S.str(),
        loggedIn: S.bool(),
        available: S.bool(),
        keys: S.int(),
        possibleActions: S.arr(S.str()),
      }),
    ),
  });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, tokens: await listTokens(api) };
  }

  protected override render(r: Result): void {
    const o = this.out;
    o.table(r.tokens, [
      { header: 'ID', get: (t) => t.id },
      { header: 'NAME', get: (t) => t.name },
      { header: 'TYPE', get: (t) => t.type },
      { header: 'STATUS', get: (t) => t.status },
      { header: 'LOGGED IN', get: (t) => (t.loggedIn ? o.out.green('yes') : o.out.yellow('no')) },
      { header: 'KEYS', get: (t) => t.keys },
    ]);
  }
}
