import { XrdCommand } from '../../src/cli/base.js';
import { contextViewItem } from '../../src/cli/context-schema.js';
import { S } from '../../src/cli/schema.js';
import { listContexts } from '../../src/config/context-ops.js';

type Result = ReturnType<typeof listContexts>;

export default class ContextList extends XrdCommand<typeof ContextList, Result> {
  static override summary = 'List contexts.';
  static override examples = ['<%= config.bin %> context list', '<%= config.bin %> context list --json'];
  static override resultSchema = S.obj({ current: S.nullable(S.str()), file: S.str(), contexts: S.arr(contextViewItem) });

  protected async execute(): Promise<Result> {
    return listContexts();
  }

  protected override render(r: Result): void {
    const o = this.out;
    o.table(r.contexts, [
      { header: '', get: (c) => (c.current ? '*' : '') },
      { header: 'NAME', get: (c) => c.name },
      { header: 'KIND', get: (c) => c.kind },
      { header: 'URL', get: (c) => c.url },
      { header: 'API KEY', get: (c) => c.apiKey },
      { header: 'TLS', get: (c) => (c.tlsFingerprint ? 'pinned' : c.caFile ? 'ca-file' : 'system CAs') },
    ]);
  }
}
