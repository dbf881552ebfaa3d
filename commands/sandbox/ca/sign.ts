import { Args, Flags } from '../../../src/cli/oclif.js';
import { SandboxControl } from '../../../src/sandboxctl/control.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';

type Result = { file: string | null; certificate: string };

export default class SandboxCaSign extends XrdCommand<typeof SandboxCaSign, Result> {
  static override summary = "Sign a CSR with the sandbox's CA (what an operator's CA does); prints the certificate PEM.";
  static override description = 'Usable as the command of the `command` CA adapter when rehearsing: --command "xrdctl sandbox ca sign {csr}".';
  static override examples = ['<%= config.bin %> sandbox ca sign auth.csr --usage auth --out auth.crt'];
  static override args = { csr: Args.string({ required: true, description: "CSR file (PEM or DER), or '-' for stdin" }) };
  static override flags = {
    dir: dirFlag,
    usage: Flags.string({ options: ['auth', 'sign'], description: 'certificate profile (default: from the CSR)' }),
    ca: Flags.string({ description: 'sandbox CA name (default: Sandbox CA)' }),
    'validity-days': Flags.integer({ description: 'validity of the certificate' }),
    out: Flags.string({ char: 'o', description: 'write the certificate to this file' }),
  };
  static override resultSchema = S.obj({ file: S.nullable(S.str()), certificate: S.str() });

  protected async execute(): Promise<Result> {
    const ctl = SandboxControl.open(this.flags.dir);
    this.onClose(() => ctl.close());
    return ctl.sign(this.args.csr, {
      usage: this.flags.usage as 'auth' | 'sign' | undefined,
      ca: this.flags.ca,
      validityDays: this.flags['validity-days'],
      out: this.flags.out,
    });
  }

  protected override render(r: Result): void {
    if (r.file) this.out.print(`certificate written to ${r.file}`);
    else this.out.print(r.certificate.trimEnd());
  }
}
