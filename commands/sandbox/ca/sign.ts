import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { writeFileSafe } from '../../../src/fs/files.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { UsageError } from '../../../src/errors/index.js';
import { controlClient, sandboxDir } from '../../../src/sandboxctl/index.js';

type Result = { file: string | null; certificate: string };

export default class SandboxCaSign extends XrdCommand<typeof SandboxCaSign, Result> {
  static override summary = "Sign a CSR with the sandbox's CA (what an operator's CA does); prints the certificate PEM.";
  static override description = 'Usable as the command of the `command` CA adapter when rehearsing: --command "xrdctl sandbox ca sign {csr}".';
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
    let csr: Buffer;
    try {
      csr = readFileSync(this.args.csr === '-' ? 0 : this.args.csr);
    } catch (e) {
      throw new UsageError(`${this.args.csr}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
    }
    const text = csr.toString('utf8');
    const body = {
      csr: text.includes('-----BEGIN') ? text : csr.toString('base64'),
      usage: this.flags.usage === 'auth' ? 'AUTHENTICATION' : this.flags.usage === 'sign' ? 'SIGNING' : undefined,
      ca: this.flags.ca,
      validity_days: this.flags['validity-days'],
    };
    const { http } = controlClient(sandboxDir(this.flags.dir));
    this.onClose(() => http.close());
    const r = await http.request<{ certificate: string }>({ method: 'POST', path: '/ca/sign', body, step: 'sandbox-ca-sign' });
    if (this.flags.out) writeFileSafe(this.flags.out, r.body.certificate, { overwrite: true, what: 'certificate', mode: 0o644 });
    return { file: this.flags.out ?? null, certificate: r.body.certificate };
  }

  protected override render(r: Result): void {
    if (r.file) this.out.print(`certificate written to ${r.file}`);
    else this.out.print(r.certificate.trimEnd());
  }
}
