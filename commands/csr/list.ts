import { XrdCommand } from '../../src/cli/base.js';
import { csrRowItem } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { csrRows, type CsrRow } from '../../src/certs/inventory.js';

type Result = { server: string; csrs: CsrRow[] };

export default class CsrList extends XrdCommand<typeof CsrList, Result> {
  static override summary = 'List CSRs waiting for certificates.';
  static override examples = ['<%= config.bin %> csr list -c ss1', '<%= config.bin %> csr list -c ss1 --json'];
  static override resultSchema = S.obj({ server: S.str(), csrs: S.arr(csrRowItem) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, csrs: csrRows(api.server, await api.getTokens()) };
  }

  protected override render(r: Result): void {
    this.out.table(r.csrs, [
      { header: 'KEY', get: (c) => c.keyId },
      { header: 'LABEL', get: (c) => c.keyLabel },
      { header: 'USAGE', get: (c) => c.usage },
      { header: 'CSR', get: (c) => c.csrId },
      { header: 'MEMBER', get: (c) => c.ownerId ?? '' },
    ]);
  }
}
