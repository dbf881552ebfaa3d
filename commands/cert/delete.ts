import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certActionProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { certAction, type CertActionResult } from '../../src/certs/lifecycle.js';

export default class CertDelete extends XrdCommand<typeof CertDelete, CertActionResult> {
  static override summary = 'Delete a certificate from the server. Refuses (exit 5) for the last working auth or sign cert.';
  static override examples = ['<%= config.bin %> cert delete -c ss1 3F9A12BC', '<%= config.bin %> cert delete -c ss1 3F9A12BC --yes --json'];
  static override args = { hash: Args.string({ required: true, description: 'certificate hash or unique prefix' }) };
  static override flags = {
    force: Flags.boolean({ description: 'go ahead even if it takes the server or a member offline (asks you to type the server name, or needs --yes)' }),
  };
  static override resultSchema = S.obj(certActionProps);

  protected async execute(): Promise<CertActionResult> {
    const api = await this.securityServer();
    return certAction(api, this.args.hash, 'delete', {
      force: this.flags.force,
      confirm: async (problems) => this.confirmIrreversible(`FORCED past the safety check: ${problems.join('; ')}`, api.server),
      confirmWrite: async (what) => this.confirmIrreversible(what, api.server),
    });
  }

  protected override render(r: CertActionResult): void {
    this.out.print(
      r.changed
        ? `${r.hash.slice(0, 16)}…: delete done${r.status ? ` (${r.status}${r.active ? ', active' : ''})` : ''}`
        : `${r.hash.slice(0, 16)}…: nothing to do`,
    );
  }
}
