import { Flags } from '@oclif/core';
import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';
import { UsageError } from '../../src/errors/index.js';
import { controlClient, sandboxDir } from '../../src/sandboxctl/index.js';

type Result = { now: string };

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s.trim());
  if (!m) throw new UsageError(`'${s}' is not a duration`, { hint: 'e.g. 90s, 15m, 12h, 30d' });
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']!;
}

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
    const { http } = controlClient(sandboxDir(this.flags.dir));
    this.onClose(() => http.close());
    if (this.flags.advance || this.flags.set) {
      if (this.flags.set && Number.isNaN(Date.parse(this.flags.set))) throw new UsageError(`--set '${this.flags.set}' is not a date`);
      const body = this.flags.advance ? { advance_ms: parseDuration(this.flags.advance) } : { set: this.flags.set };
      return (await http.request<Result>({ method: 'POST', path: '/clock', body, step: 'sandbox-clock' })).body;
    }
    return (await http.request<Result>({ method: 'GET', path: '/clock', step: 'sandbox-clock' })).body;
  }

  protected override render(r: Result): void {
    this.out.print(`sandbox clock: ${r.now}`);
  }
}
