import { Args } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certActionProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { certAction, type CertActionResult } from '../../src/certs/lifecycle.js';

export default class CertActivate extends XrdCommand<typeof CertActivate, CertActionResult> {
  static override summary = 'Activate a certificate (the server checks OCSP first).';
  static override examples = ['<%= config.bin %> cert activate -c ss1 3F9A12BC'];
  static override args = { hash: Args.string({ required: true, description: 'certificate hash or unique prefix' }) };
  static override resultSchema = S.obj(certActionProps);

  protected async execute(): Promise<CertActionResult> {
    return certAction(await this.securityServer(), this.args.hash, 'activate');
  }

  protected override render(r: CertActionResult): void {
    this.out.print(r.changed ? `${r.hash.slice(0, 16)}…: activate done` : `${r.hash.slice(0, 16)}…: already active`);
  }
}
