import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { logout } from '../../src/certs/tokens.js';

type Result = Awaited<ReturnType<typeof logout>>;

export default class TokenLogout extends XrdCommand<typeof TokenLogout, Result> {
  static override summary = 'Log out of a token: every key on it stops working until the next login.';
  static override examples = ['<%= config.bin %> token logout -c ss1 --token 0 --yes'];
  static override flags = { token: Flags.string({ default: '0', description: 'token id' }) };
  static override resultSchema = S.obj({ server: S.str(), tokenId: S.str(), changed: S.bool(), loggedIn: S.bool() });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    await this.confirm(`log out of token ${this.flags.token} on ${api.server}? Its auth and sign keys stop working until the next login`);
    return logout(api, this.flags.token);
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `token ${r.tokenId} logged out` : `token ${r.tokenId} was not logged in`);
  }
}
