import { XrdCommand } from '../../../src/cli/base.js';
import { S, item } from '../../../src/cli/schema.js';
import { listCsKeys, type CsKeyRow } from '../../../src/services/cs-keys.js';

type Result = { server: string; keys: CsKeyRow[]; active: { INTERNAL: string | null; EXTERNAL: string | null } };

export default class CsKeyList extends XrdCommand<typeof CsKeyList, Result> {
  static override summary = "The central server's configuration signing keys: token, source, which key signs each source's global configuration.";
  static override examples = ['<%= config.bin %> cs key list -c cs', '<%= config.bin %> cs key list -c cs --json'];
  static override resultSchema = S.obj({
    server: S.str(),
    keys: S.arr(
      item({
        token: S.str(),
        tokenLoggedIn: S.bool(),
        id: S.str(),
        label: S.str(),
        source: S.nullable(S.enum(['INTERNAL', 'EXTERNAL'])),
        active: S.bool(),
        available: S.bool(),
        createdAt: S.str(),
        keyHash: S.nullable(S.str()),
      }),
    ),
    active: item({ INTERNAL: S.nullable(S.str()), EXTERNAL: S.nullable(S.str()) }),
  });

  protected async execute(): Promise<Result> {
    return listCsKeys(await this.centralServer(this.centralContext()));
  }

  protected override render(r: Result): void {
    this.out.table(r.keys, [
      { header: 'TOKEN', get: (k) => `${k.token}${k.tokenLoggedIn ? '' : ' (logged out)'}` },
      { header: 'SOURCE', get: (k) => k.source ?? '-' },
      { header: 'ID', get: (k) => k.id },
      { header: 'LABEL', get: (k) => k.label },
      { header: 'ACTIVE', get: (k) => (k.active ? this.out.out.green('active') : '') },
      { header: 'CREATED', get: (k) => k.createdAt },
    ]);
  }
}
