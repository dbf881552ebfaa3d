import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certActionProps } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { certAction, type CertActionResult } from '../../src/certs/lifecycle.js';

export default class CertUnregister extends XrdCommand<typeof CertUnregister, CertActionResult> {
  static override summary =
    'Send an auth certificate deletion request to the central server (cannot be undone). Refuses (exit 5) for the last working auth cert.';
  static override examples = ['<%= config.bin %> cert unregister -c ss1 3F9A12BC', '<%= config.bin %> cert unregister -c ss1 3F9A12BC --yes --json'];
  static override args = { hash: Args.string({ required: true, description: 'certificate hash or unique prefix' }) };
  static override flags = {
    force: Flags.boolean({ description: 'go ahead even if it takes the server or a member offline (asks you to type the server name, or needs --yes)' }),
  };
  static override resultSchema = S.obj(certActionProps);

  protected async execute(): Promise<CertActionResult> {
    const api = await this.securityServer();
    return certAction(api, this.args.hash, 'unregister', {
      force: this.flags.force,
      confirm: async (problems) => this.confirmIrreversible(`FORCED past the safety check: ${problems.join('; ')}`, api.server),
      confirmWrite: async (what) => this.confirmIrreversible(what, api.server),
    });
  }

  protected override render(r: CertActionResult): void {
    this.out.print(
      r.changed
        ? `${r.hash.slice(0, 16)}…: unregister done${r.status ? ` (${r.status}${r.active ? ', active' : ''})` : ''}`
        : `${r.hash.slice(0, 16)}…: nothing to do`,
    );
  }
}
