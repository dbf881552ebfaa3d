import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';
import { sandboxDir, stopSandbox } from '../../src/sandboxctl/index.js';

type Result = { dir: string; stopped: boolean; pid: number | null };

export default class SandboxStop extends XrdCommand<typeof SandboxStop, Result> {
  static override summary = 'Stop a detached sandbox (its state stays in --dir).';
  static override examples = ['<%= config.bin %> sandbox stop'];
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({ dir: S.str(), stopped: S.bool(), pid: S.nullable(S.int()) });

  protected async execute(): Promise<Result> {
    const dir = sandboxDir(this.flags.dir);
    return { dir, ...(await stopSandbox(dir)) };
  }

  protected override render(r: Result): void {
    this.out.print(r.stopped ? `sandbox (pid ${r.pid}) stopped` : 'no sandbox was running');
  }
}
