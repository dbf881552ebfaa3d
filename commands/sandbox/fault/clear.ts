import { Flags } from '@oclif/core';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { controlClient, sandboxDir } from '../../../src/sandboxctl/index.js';

type Result = { cleared: boolean; server: string | null };

export default class SandboxFaultClear extends XrdCommand<typeof SandboxFaultClear, Result> {
  static override summary = 'Remove injected faults (all, or those of one server).';
  static override flags = { dir: dirFlag, server: Flags.string({ description: 'only this server' }) };
  static override resultSchema = S.obj({ cleared: S.bool(), server: S.nullable(S.str()) });

  protected async execute(): Promise<Result> {
    const { http } = controlClient(sandboxDir(this.flags.dir));
    this.onClose(() => http.close());
    await http.request({ method: 'DELETE', path: '/faults', query: { server: this.flags.server }, step: 'sandbox-fault-clear' });
    return { cleared: true, server: this.flags.server ?? null };
  }

  protected override render(r: Result): void {
    this.out.print(`faults cleared${r.server ? ` for ${r.server}` : ''}`);
  }
}
