import { Args } from '@oclif/core';
import { READ_LIMITS, readBoundedFile } from '../../src/fs/files.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { importCert } from '../../src/certs/lifecycle.js';
import type { CertRow } from '../../src/certs/inventory.js';

export default class CertImport extends XrdCommand<typeof CertImport, CertRow> {
  static override summary = 'Import a signed certificate, after checking it matches a key, its usage, an approved CA and its validity.';
  static override args = { file: Args.string({ required: true, description: 'certificate file (PEM or DER)' }) };
  static override resultSchema = S.obj(certRowProps);

  protected async execute(): Promise<CertRow> {
    const file = this.args.file;
    const bytes = readBoundedFile(file, { maxBytes: READ_LIMITS.certificate, what: 'certificate' });
    const api = await this.securityServer();
    let row!: CertRow;
    await this.out.steps([{ title: `import ${file} into ${api.server}`, run: async (u) => void (row = await importCert(api, bytes, file, u)) }]);
    return row;
  }

  protected override render(r: CertRow): void {
    this.out.print(`imported ${r.usage} certificate ${r.hash} (${r.status}, ${r.active ? 'active' : 'inactive'})`);
  }
}
