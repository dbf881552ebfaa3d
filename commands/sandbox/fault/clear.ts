import { Flags } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { SandboxControl } from '../../../src/sandboxctl/control.js';

type Result = { cleared: boolean; server: string | null };

export default class SandboxFaultClear extends XrdCommand<typeof SandboxFaultClear, Result> {
  static override summary = 'Remove injected faults (all, or those of one server).';
  static override examples = ['<%= config.bin %> sandbox fault clear', '<%= config.bin %> sandbox fault clear --server ss1'];
  static override flags = { dir: dirFlag, server: Flags.string({ description: 'only this server' }) };
  static override resultSchema = S.obj({ cleared: S.bool(), server: S.nullable(S.str()) });

  protected async execute(): Promise<Result> {
    const ctl = SandboxControl.open(this.flags.dir);
    this.onClose(() => ctl.close());
    await ctl.clearFaults(this.flags.server);
    return { cleared: true, server: this.flags.server ?? null };
  }

  protected override render(r: Result): void {
    this.out.print(`faults cleared${r.server ? ` for ${r.server}` : ''}`);
  }
}
