import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';
import { resetDir, sandboxDir } from '../../src/sandboxctl/index.js';

type Result = { dir: string; removed: string[] };

export default class SandboxReset extends XrdCommand<typeof SandboxReset, Result> {
  static override summary = 'Wipe the sandbox state (it must be stopped).';
  static override examples = ['<%= config.bin %> sandbox reset --yes'];
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({ dir: S.str(), removed: S.arr(S.str()) });

  protected async execute(): Promise<Result> {
    const dir = sandboxDir(this.flags.dir);
    await this.confirm(`wipe the sandbox state in ${dir}?`);
    return { dir, ...resetDir(dir) };
  }

  protected override render(r: Result): void {
    this.out.print(r.removed.length ? `sandbox state in ${r.dir} wiped` : `nothing to wipe in ${r.dir}`);
  }
}
