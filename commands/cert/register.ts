import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { registerAuthCert, type RegisterResult } from '../../src/certs/lifecycle.js';
import { UsageError } from '../../src/errors/index.js';
import type { CentralServerApi } from '../../src/api/central-server.js';

export default class CertRegister extends XrdCommand<typeof CertRegister, RegisterResult> {
  static override summary = 'Register an auth certificate at the central server; optionally approve, wait for REGISTERED and activate.';
  static override examples = ['<%= config.bin %> cert register 3F2A9C01 --approve --cs-context cs --activate'];
  static override args = { hash: Args.string({ required: true, description: 'certificate hash or unique prefix' }) };
  static override flags = {
    address: Flags.string({ description: "public address to register (default: the server's current address)" }),
    approve: Flags.boolean({ description: 'approve the registration request at the central server (needs a central context)' }),
    'cs-context': Flags.string({ description: "central server context for --approve (default: the context's centralContext)" }),
    wait: Flags.boolean({ description: 'wait until the certificate is REGISTERED (implied by --approve and --activate)' }),
    activate: Flags.boolean({ description: 'activate the certificate once REGISTERED' }),
    timeout: Flags.integer({ default: 300, min: 1, max: 86400, description: 'seconds to wait for REGISTERED' }),
  };
  static override resultSchema = S.obj({
    server: S.str(),
    hash: S.str(),
    address: S.str(),
    requestId: S.nullable(S.int()),
    approved: S.bool(),
    status: S.str(),
    active: S.bool(),
    waitedMs: S.int(),
  });

  protected async execute(): Promise<RegisterResult> {
    const f = this.flags;
    const ctx = this.context();
    const api = await this.securityServer(ctx);
    let cs: CentralServerApi | undefined;
    if (f.approve) {
      const csName = f['cs-context'] ?? ctx.centralContext;
      if (!csName)
        throw new UsageError('--approve needs a central server context', {
          hint: 'pass --cs-context NAME or set it with xrdctl context add … --central-context NAME',
        });
      cs = await this.centralServer(this.context(csName));
    }
    let res!: RegisterResult;
    await this.out.steps([
      {
        title: `register ${this.args.hash.slice(0, 16)} on ${api.server}`,
        run: async (u) => {
          res = await registerAuthCert(
            api,
            this.args.hash,
            { address: f.address, cs, wait: f.wait || f.approve, activate: f.activate, timeoutMs: f.timeout * 1000 },
            u,
          );
        },
      },
    ]);
    return res;
  }

  protected override render(r: RegisterResult): void {
    this.out.print(`${r.hash.slice(0, 16)}… ${r.status}${r.active ? ', active' : ''}${r.approved ? ` (request ${r.requestId} approved)` : ''}`);
  }
}
