import type { FaultSpec } from '../../../src/sandbox/http.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { SandboxControl } from '../../../src/sandboxctl/control.js';

type Fault = FaultSpec;
type Result = { faults: Fault[] };

export default class SandboxFaultList extends XrdCommand<typeof SandboxFaultList, Result> {
  static override summary = 'List the faults injected into a running sandbox.';
  static override examples = ['<%= config.bin %> sandbox fault list', '<%= config.bin %> sandbox fault list --json'];
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({ faults: S.arr({ type: 'object' }) });

  protected async execute(): Promise<Result> {
    const ctl = SandboxControl.open(this.flags.dir);
    this.onClose(() => ctl.close());
    return { faults: await ctl.faults() };
  }

  protected override render(r: Result): void {
    this.out.table(r.faults, [
      { header: 'ID', get: (f) => String(f.id ?? '') },
      { header: 'SERVER', get: (f) => String(f.server) },
      { header: 'OPERATION', get: (f) => String(f.operation) },
      {
        header: 'EFFECT',
        get: (f) =>
          [f.status && `status ${f.status}`, f.code, f.latencyMs && `+${f.latencyMs} ms`, f.reset && 'reset', f.hang && 'hang'].filter(Boolean).join(' '),
      },
      { header: 'LEFT', get: (f) => (f.times === undefined ? '∞' : String(f.times)) },
    ]);
  }
}
