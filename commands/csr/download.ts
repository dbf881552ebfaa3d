import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { checkWriteTarget, writeFileSafe } from '../../src/fs/files.js';

type Result = { server: string; keyId: string; csrId: string; format: string; file: string | null; csr: string };

export default class CsrDownload extends XrdCommand<typeof CsrDownload, Result> {
  static override summary = 'Download a CSR (the server regenerates it from the key).';
  static override examples = [
    '<%= config.bin %> csr download -c ss1 KEYID CSRID --out auth.csr',
    '<%= config.bin %> csr download -c ss1 KEYID CSRID --format DER --out auth.der',
  ];
  static override args = { key: Args.string({ required: true, description: 'key id' }), csr: Args.string({ required: true, description: 'CSR id' }) };
  static override flags = {
    format: Flags.string({ options: ['PEM', 'DER'], default: 'PEM', description: 'CSR format' }),
    out: Flags.string({ char: 'o', description: 'write to this file' }),
  };
  static override resultSchema = S.obj({ server: S.str(), keyId: S.str(), csrId: S.str(), format: S.str(), file: S.nullable(S.str()), csr: S.str() });

  protected async execute(): Promise<Result> {
    if (this.flags.out) checkWriteTarget(this.flags.out, { overwrite: true, what: 'CSR' });
    const api = await this.securityServer();
    const bytes = await api.downloadCsr(this.args.key, this.args.csr, this.flags.format as 'PEM' | 'DER');
    if (this.flags.out) writeFileSafe(this.flags.out, bytes, { overwrite: true, what: 'CSR', mode: 0o644 });
    return {
      server: api.server,
      keyId: this.args.key,
      csrId: this.args.csr,
      format: this.flags.format,
      file: this.flags.out ?? null,
      csr: this.flags.format === 'PEM' ? bytes.toString('utf8') : bytes.toString('base64'),
    };
  }

  protected override render(r: Result): void {
    if (r.file) this.out.print(`CSR written to ${r.file}`);
    else this.out.print(r.csr.trimEnd());
  }
}
