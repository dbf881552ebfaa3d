import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S, item } from '../../src/cli/schema.js';
import { sandboxStatus, type SandboxStatus as Result } from '../../src/sandboxctl/control.js';

export default class SandboxStatus extends XrdCommand<typeof SandboxStatus, Result> {
  static override summary = 'Show whether the sandbox runs, its servers, its clock and its outage record.';
  static override description =
    'outages lists every interval in which a security server had no working auth certificate (kind auth) or could not verify global configuration (kind globalconf), or a member no working sign certificate (kind sign), sandbox clock; to is null while it lasts. A stopped sandbox shows the record it persisted.';
  static override examples = ['<%= config.bin %> sandbox status', '<%= config.bin %> sandbox status --json'];
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({
    dir: S.str(),
    running: S.bool(),
    pid: S.nullable(S.int()),
    now: S.nullable(S.str()),
    servers: S.arr(item({ name: S.str(), url: S.str(), fingerprint: S.str() })),
    outages: S.arr(
      item({ server: S.str(), member: S.str(), kind: S.enum(['auth', 'sign', 'globalconf']), from: S.str(), to: S.nullable(S.str()) }, ['member']),
    ),
  });

  protected async execute(): Promise<Result> {
    return sandboxStatus(this.flags.dir);
  }

  protected override render(r: Result): void {
    if (r.running) {
      this.out.print(`sandbox running (pid ${r.pid}), clock ${r.now}`);
      this.out.table(r.servers, [
        { header: 'SERVER', get: (s) => s.name },
        { header: 'URL', get: (s) => s.url },
      ]);
    } else this.out.print(`no sandbox running in ${r.dir}`);
    if (!r.outages.length) {
      if (r.running) this.out.print('outages: none');
      return;
    }
    this.out.print(`outages: ${r.outages.length}`);
    this.out.table(r.outages, [
      { header: 'SERVER', get: (o) => o.server },
      { header: 'KIND', get: (o) => o.kind },
      { header: 'MEMBER', get: (o) => o.member ?? '' },
      { header: 'FROM', get: (o) => o.from },
      { header: 'TO', get: (o) => o.to ?? 'ongoing' },
    ]);
  }
}
