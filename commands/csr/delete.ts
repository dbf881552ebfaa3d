import { Args } from '../../src/cli/oclif.js';
import { ApiError } from '../../src/errors/index.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';

type Result = { server: string; keyId: string; csrId: string; changed: boolean };

export default class CsrDelete extends XrdCommand<typeof CsrDelete, Result> {
  static override summary = 'Delete a CSR (the key stays).';
  static override examples = ['<%= config.bin %> csr delete -c ss1 KEYID CSRID'];
  static override args = { key: Args.string({ required: true, description: 'key id' }), csr: Args.string({ required: true, description: 'CSR id' }) };
  static override resultSchema = S.obj({ server: S.str(), keyId: S.str(), csrId: S.str(), changed: S.bool() });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    // a key already gone took its CSRs with it: nothing to delete, as for a CSR already gone
    const key = await api.getKey(this.args.key).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    });
    if (!key?.certificate_signing_requests.some((c) => c.id === this.args.csr))
      return { server: api.server, keyId: this.args.key, csrId: this.args.csr, changed: false };
    await api.deleteCsr(this.args.key, this.args.csr);
    return { server: api.server, keyId: this.args.key, csrId: this.args.csr, changed: true };
  }

  protected override render(r: Result): void {
    this.out.print(r.changed ? `CSR ${r.csrId} deleted` : `no CSR ${r.csrId} on key ${r.keyId}`);
  }
}
