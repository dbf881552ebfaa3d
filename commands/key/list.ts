import { XrdCommand } from '../../src/cli/base.js';
import { keyRowItem } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { keyRows, type KeyRow } from '../../src/certs/inventory.js';

type Result = { server: string; keys: KeyRow[] };

export default class KeyList extends XrdCommand<typeof KeyList, Result> {
  static override summary = 'List keys on the tokens of a security server.';
  static override examples = ['<%= config.bin %> key list -c ss1', '<%= config.bin %> key list -c ss1 --json'];
  static override resultSchema = S.obj({ server: S.str(), keys: S.arr(keyRowItem) });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    return { server: api.server, keys: keyRows(api.server, await api.getTokens()) };
  }

  protected override render(r: Result): void {
    this.out.table(r.keys, [
      { header: 'TOKEN', get: (k) => k.tokenId },
      { header: 'KEY', get: (k) => k.keyId },
      { header: 'LABEL', get: (k) => k.label },
      { header: 'USAGE', get: (k) => k.usage },
      { header: 'CERTS', get: (k) => k.certificates },
      { header: 'CSRS', get: (k) => k.csrs },
    ]);
  }
}
