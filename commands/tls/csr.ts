import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { READ_LIMITS, checkWriteTarget, readBoundedText, writeFileSafe } from '../../src/fs/files.js';

type Result = { file: string | null; csr: string };

export default class TlsCsr extends XrdCommand<typeof TlsCsr, Result> {
  static override summary = 'Create a PKCS#10 CSR for an information system TLS certificate from a local key.';
  static override examples = ['<%= config.bin %> tls csr --key is.key --subject CN=is.example.org --subject O=Ministry --san DNS:is.example.org --out is.csr'];
  static override flags = {
    key: Flags.string({ required: true, description: 'private key file (PEM)' }),
    subject: Flags.string({ required: true, multiple: true, description: 'subject field FIELD=VALUE (repeatable): CN, O, OU, C, L, ST, serialNumber' }),
    san: Flags.string({ multiple: true, description: 'subjectAltName DNS:NAME or IP:ADDRESS (repeatable)' }),
    out: Flags.string({ char: 'o', description: 'write the CSR to this file' }),
  };
  static override resultSchema = S.obj({ file: S.nullable(S.str()), csr: S.str() });

  protected async execute(): Promise<Result> {
    if (this.flags.out) checkWriteTarget(this.flags.out, { overwrite: true, what: 'CSR' });
    const key = readBoundedText(this.flags.key, { maxBytes: READ_LIMITS.key, what: 'private key' });
    const { createTlsCsr } = await import('../../src/pki/tls.js');
    const csr = createTlsCsr(key, this.flags.subject, this.flags.san ?? []);
    if (this.flags.out) writeFileSafe(this.flags.out, csr, { overwrite: true, what: 'CSR', mode: 0o644 });
    return { file: this.flags.out ?? null, csr };
  }

  protected override render(r: Result): void {
    if (r.file) this.out.print(`CSR written to ${r.file}`);
    else this.out.print(r.csr.trimEnd());
  }
}
