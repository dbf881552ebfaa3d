import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';
import { deleteKey } from '../../src/certs/lifecycle.js';

type Result = Awaited<ReturnType<typeof deleteKey>>;

export default class KeyDelete extends XrdCommand<typeof KeyDelete, Result> {
  static override summary = 'Delete a key with its certificates and CSRs.';
  static override description =
    'Refuses (exit 5) when it would leave the server without a working auth certificate or a member without a working sign certificate; --force with --yes (or typing the server name at a terminal) overrides. A key already gone is changed: false.';
  static override examples = ['<%= config.bin %> key delete -c ss1 KEYID', '<%= config.bin %> key delete -c ss1 KEYID --yes --json'];
  static override args = { key: Args.string({ required: true, description: 'key id' }) };
  static override flags = { force: Flags.boolean({ description: 'delete even if it takes the server or a member offline' }) };
  static override resultSchema = S.obj({ server: S.str(), keyId: S.str(), changed: S.bool(), forced: S.bool(), certificates: S.arr(S.str()) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return deleteKey(api, this.args.key, {
      force: this.flags.force,
      confirm: async (p) => this.confirmIrreversible(`FORCED past the safety check: ${p.join('; ')}`, api.server),
      confirmWrite: async (what) => this.confirmIrreversible(what, api.server),
    });
  }

  protected override render(r: Result): void {
    this.out.print(
      r.changed
        ? `key ${r.keyId} deleted${r.certificates.length ? ` with ${r.certificates.length} certificate(s)` : ''}`
        : `no key ${r.keyId}: nothing to delete`,
    );
  }
}
