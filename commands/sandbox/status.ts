import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S, item } from '../../src/cli/schema.js';
import { controlClient, readInfo, runningInfo, sandboxDir } from '../../src/sandboxctl/index.js';

type Result = { dir: string; running: boolean; pid: number | null; now: string | null; servers: { name: string; url: string; fingerprint: string }[] };

export default class SandboxStatus extends XrdCommand<typeof SandboxStatus, Result> {
  static override summary = 'Show whether the sandbox runs, its servers and its clock.';
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({
    dir: S.str(),
    running: S.bool(),
    pid: S.nullable(S.int()),
    now: S.nullable(S.str()),
    servers: S.arr(item({ name: S.str(), url: S.str(), fingerprint: S.str() })),
  });

  protected async execute(): Promise<Result> {
    const dir = sandboxDir(this.flags.dir);
    const info = runningInfo(dir);
    if (!info) return { dir, running: false, pid: readInfo(dir)?.pid ?? null, now: null, servers: [] };
    const { http } = controlClient(dir);
    this.onClose(() => http.close());
    const r = await http.request<{ now: string }>({ method: 'GET', path: '/info', step: 'sandbox-status' });
    return { dir, running: true, pid: info.pid, now: r.body.now, servers: [info.cs, ...info.ss].map((s) => ({ name: s.name, url: s.url, fingerprint: s.fingerprint })) };
  }

  protected override render(r: Result): void {
    if (!r.running) {
      this.out.print(`no sandbox running in ${r.dir}`);
      return;
    }
    this.out.print(`sandbox running (pid ${r.pid}), clock ${r.now}`);
    this.out.table(r.servers, [
      { header: 'SERVER', get: (s) => s.name },
      { header: 'URL', get: (s) => s.url },
    ]);
  }
}
