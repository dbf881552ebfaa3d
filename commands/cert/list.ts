import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowItem } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { certRows, type CertRow } from '../../src/certs/inventory.js';

type Result = { server: string; certificates: CertRow[] };

export default class CertList extends XrdCommand<typeof CertList, Result> {
  static override summary = 'List auth and sign certificates with status, activity, OCSP and expiry.';
  static override examples = ['<%= config.bin %> cert list -c ss1', '<%= config.bin %> cert list -c ss1 --usage auth --json'];
  static override flags = { usage: Flags.string({ options: ['auth', 'sign'], description: 'only this usage' }) };
  static override resultSchema = S.obj({ server: S.str(), certificates: S.arr(certRowItem) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    const rows = certRows(api.server, await api.getTokens(), api.http.serverNow()).filter((c) => !this.flags.usage || c.usage === this.flags.usage);
    return { server: api.server, certificates: rows };
  }

  protected override render(r: Result): void {
    const o = this.out;
    o.table(r.certificates, [
      { header: 'HASH', get: (c) => c.hash.slice(0, 16) },
      { header: 'USAGE', get: (c) => c.usage },
      { header: 'KEY', get: (c) => c.keyLabel },
      { header: 'STATUS', get: (c) => c.status },
      { header: 'ACTIVE', get: (c) => (c.active ? o.out.green('yes') : 'no') },
      { header: 'OCSP', get: (c) => c.ocspStatus?.replace('OCSP_RESPONSE_', '') ?? '-' },
      { header: 'MEMBER', get: (c) => c.ownerId ?? '' },
      { header: 'EXPIRES', get: (c) => `${c.notAfter.slice(0, 10)} (${c.daysLeft} d)` },
    ]);
  }
}
