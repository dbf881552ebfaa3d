import { Flags } from '../../src/cli/oclif.js';
import { SandboxControl } from '../../src/sandboxctl/control.js';
import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';

type Result = { now: string };

export default class SandboxClock extends XrdCommand<typeof SandboxClock, Result> {
  static override summary = "Show or move the sandbox's clock (rehearse certificate expiry without waiting).";
  static override examples = ['<%= config.bin %> sandbox clock --advance 335d'];
  static override flags = {
    dir: dirFlag,
    advance: Flags.string({ description: 'move forward by a duration: 90s, 15m, 12h, 30d' }),
    set: Flags.string({ description: 'set to an ISO date' }),
  };
  static override resultSchema = S.obj({ now: S.str() });

  protected async execute(): Promise<Result> {
    const ctl = SandboxControl.open(this.flags.dir);
    this.onClose(() => ctl.close());
    return this.flags.advance || this.flags.set ? ctl.moveClock({ advance: this.flags.advance, set: this.flags.set }) : ctl.clock();
  }

  protected override render(r: Result): void {
    this.out.print(`sandbox clock: ${r.now}`);
  }
}
