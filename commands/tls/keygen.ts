import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { checkWriteTarget, writeFileSafe } from '../../src/fs/files.js';

type Result = { file: string; bits: number };

export default class TlsKeygen extends XrdCommand<typeof TlsKeygen, Result> {
  static override summary = 'Generate an RSA private key for an information system TLS certificate (written 0600, never printed).';
  static override examples = ['<%= config.bin %> tls keygen --out is.key', '<%= config.bin %> tls keygen --out is.key --bits 4096'];
  static override flags = {
    out: Flags.string({ char: 'o', required: true, description: 'key file to write (PEM, PKCS#8)' }),
    bits: Flags.integer({ default: 2048, description: 'key size: 2048, 3072 or 4096' }),
    force: Flags.boolean({ description: 'overwrite an existing file' }),
  };
  static override resultSchema = S.obj({ file: S.str(), bits: S.int() });

  protected async execute(): Promise<Result> {
    const target = { overwrite: this.flags.force, what: 'private key', overwriteFlag: '--force (the old key is lost)' };
    checkWriteTarget(this.flags.out, target);
    const { generateTlsKey } = await import('../../src/pki/tls.js');
    // 0600 also over an existing file (its old mode is not kept); a symlink is refused, never followed
    writeFileSafe(this.flags.out, generateTlsKey(this.flags.bits), { ...target, mode: 0o600 });
    return { file: this.flags.out, bits: this.flags.bits };
  }

  protected override render(r: Result): void {
    this.out.print(`${r.bits}-bit RSA key written to ${r.file} (mode 0600)`);
  }
}
