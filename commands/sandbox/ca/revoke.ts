import { Args } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { SandboxControl } from '../../../src/sandboxctl/control.js';

type Result = { revoked: string };

export default class SandboxCaRevoke extends XrdCommand<typeof SandboxCaRevoke, Result> {
  static override summary = "Revoke a certificate at the sandbox's CA (OCSP answers REVOKED from then on): rehearse a key compromise.";
  static override args = { cert: Args.string({ required: true, description: 'certificate hash (SHA-256, or a unique prefix of 8+ hex digits) or serial' }) };
  static override flags = { dir: dirFlag };
  static override examples = ['<%= config.bin %> sandbox ca revoke 3F9A12BC', '<%= config.bin %> sandbox ca revoke 3F9A12BC…(64 hex digits) --json'];
  static override resultSchema = S.obj({ revoked: S.str() });

  protected async execute(): Promise<Result> {
    const ctl = SandboxControl.open(this.flags.dir);
    this.onClose(() => ctl.close());
    const id = this.args.cert.replace(/:/g, '');
    await ctl.revoke(id);
    return { revoked: id };
  }

  protected override render(r: Result): void {
    this.out.print(`revoked ${r.revoked}`);
  }
}
