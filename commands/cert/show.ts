import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { readCert } from '../../src/certs/lifecycle.js';
import type { CertRow } from '../../src/certs/inventory.js';

export default class CertShow extends XrdCommand<typeof CertShow, CertRow> {
  static override summary = 'Show one certificate (by hash or a unique prefix of 8+ hex digits).';
  static override examples = ['<%= config.bin %> cert show -c ss1 3F9A12BC'];
  static override args = { hash: Args.string({ required: true, description: 'certificate hash (SHA-256) or unique prefix' }) };
  static override resultSchema = S.obj(certRowProps);

  protected async execute(): Promise<CertRow> {
    return readCert(await this.securityServer(), this.args.hash);
  }

  protected override render(r: CertRow): void {
    this.out.fields(r);
  }
}
