import { Flags } from '@oclif/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { UsageError } from '../../src/errors/index.js';

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
    let key: string;
    try {
      key = readFileSync(this.flags.key, 'utf8');
    } catch (e) {
      throw new UsageError(`${this.flags.key}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
    }
    const { createTlsCsr } = await import('../../src/pki/tls.js');
    const csr = createTlsCsr(key, this.flags.subject, this.flags.san ?? []);
    if (this.flags.out) writeFileSync(this.flags.out, csr);
    return { file: this.flags.out ?? null, csr };
  }

  protected override render(r: Result): void {
    if (r.file) this.out.print(`CSR written to ${r.file}`);
    else this.out.print(r.csr.trimEnd());
  }
}
