import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { login } from '../../src/certs/tokens.js';

type Result = Awaited<ReturnType<typeof login>>;

export default class TokenLogin extends XrdCommand<typeof TokenLogin, Result> {
  static override summary = 'Log in to a token (PIN from env, file or prompt; never on the command line).';
  static override examples = [
    'XRD_PIN=… <%= config.bin %> token login --pin env:XRD_PIN',
    '<%= config.bin %> token login --token 0 --pin file:/run/secrets/pin',
  ];
  static override flags = {
    token: Flags.string({ default: '0', description: 'token id (0 = software token)' }),
    pin: Flags.string({ description: 'PIN reference: env:NAME, file:PATH or prompt (default: the context tokenPin)' }),
  };
  static override resultSchema = S.obj({ server: S.str(), tokenId: S.str(), changed: S.bool(), loggedIn: S.bool() });

  protected async execute(): Promise<Result> {
    const ctx = this.context();
    const api = await this.securityServer(ctx);
    return login(api, this.flags.token, this.flags.pin ?? ctx.tokenPin, {
      prompt: (m) => this.out.secret(m, { flag: '--pin env:NAME or --pin file:PATH' }),
      warn: (m) => this.out.warn(m),
    });
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `token ${r.tokenId} logged in` : `token ${r.tokenId} was already logged in`);
  }
}
