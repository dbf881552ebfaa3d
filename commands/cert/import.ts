import { Args } from '../../src/cli/oclif.js';
import { READ_LIMITS, readBoundedFile } from '../../src/fs/files.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { importCertIdempotent } from '../../src/certs/lifecycle.js';
import type { CertRow } from '../../src/certs/inventory.js';

type Result = CertRow & { changed: boolean };

export default class CertImport extends XrdCommand<typeof CertImport, Result> {
  static override summary = 'Import a signed certificate, after checking it matches a key, its usage, an approved CA and its validity.';
  static override args = { file: Args.string({ required: true, description: 'certificate file (PEM or DER)' }) };
  static override description = 'Idempotent like apply: a certificate already on the server is changed: false, exit 0, and nothing is sent.';
  static override examples = ['<%= config.bin %> cert import -c ss1 auth.crt', '<%= config.bin %> cert import -c ss1 sign.pem --json'];
  static override resultSchema = S.obj({ ...certRowProps, changed: S.bool('whether the certificate had to be imported') });

  protected async execute(): Promise<Result> {
    const file = this.args.file;
    const bytes = readBoundedFile(file, { maxBytes: READ_LIMITS.certificate, what: 'certificate' });
    const api = await this.securityServer();
    let row!: Result;
    await this.out.steps([{ title: `import ${file} into ${api.server}`, run: async (u) => void (row = await importCertIdempotent(api, bytes, file, u)) }]);
    return row;
  }

  protected override render(r: Result): void {
    this.out.print(`${r.changed ? 'imported' : 'already there:'} ${r.usage} certificate ${r.hash} (${r.status}, ${r.active ? 'active' : 'inactive'})`);
  }
}
