import { Flags } from '../src/cli/oclif.js';
import { XrdCommand } from '../src/cli/base.js';
import { concurrencyFlag, manifestArgs } from '../src/cli/manifest-flags.js';
import { applyResultSchema } from '../src/cli/plan-schema.js';
import { ExitCode } from '../src/errors/index.js';
import type { ApplyResult } from '../src/engine/apply.js';
import { readFailureExitCode, type Plan } from '../src/engine/plan.js';
import { renderApply, renderPlan, warnReadFailures } from '../src/output/plan.js';

type Result = { check: boolean; changed: boolean; plan: Plan; result: ApplyResult | null; requests: number };

export default class Apply extends XrdCommand<typeof Apply, Result> {
  static override summary = 'Make the servers match the manifests (or run a saved plan), in dependency order, in parallel across servers.';
  static override description =
    'Order within a server: token login → sign and auth certificates (register, approve, wait, activate) → clients (register, approve) → service descriptions → services → endpoints → local groups → access rights → deletions the manifest prunes. ' +
    'Every step re-reads what the server reports, so a rerun after a failure finishes the job. A second apply of the same manifest sends no write request and reports changed: false.';
  static override strict = false;
  static override args = manifestArgs;
  static override flags = {
    check: Flags.boolean({ description: 'plan only, change nothing (Ansible check mode)' }),
    concurrency: concurrencyFlag,
    timeout: Flags.integer({ default: 300, description: 'seconds to wait for approvals and global configuration per step' }),
  };
  static override examples = [
    '<%= config.bin %> apply examples/small/manifest.yaml --yes',
    '<%= config.bin %> apply plan.json --yes --json',
    '<%= config.bin %> apply manifest.yaml --check --json',
  ];
  static override resultSchema = applyResultSchema;

  protected async execute(): Promise<Result> {
    const f = this.flags;
    const { runApply } = await import('../src/services/apply.js');
    const r = await runApply(
      { inputs: this.positional, check: f.check, concurrency: f.concurrency, timeoutMs: f.timeout * 1000, session: this.connectOptions() },
      {
        showPlan: (plan) => !f.json && renderPlan(this.out, plan),
        confirm: async (plan, pending, irreversible) => {
          const servers = plan.servers.filter((s) => s.changes.some((c) => c.action)).map((s) => s.server);
          const ask = `apply ${pending} change(s) to ${servers.length} server(s)`;
          // irreversible changes are named, and the operator types the server's name (or yes for several)
          if (irreversible.length)
            await this.confirmIrreversible(
              `${ask}; ${irreversible.length} cannot be undone:\n    ${irreversible.join('\n    ')}\n `,
              servers.length === 1 ? servers[0]! : 'yes',
            );
          else await this.confirm(`${ask}?`);
        },
        stopped: () => this.stopping,
        lanes: (names, run) =>
          this.out.lanes(names, (lane) =>
            run((e) => {
              lane.event(e);
              if (e.type === 'start') lane.update(e.server, e.summary);
              else if (e.type === 'progress') lane.update(e.server, e.message);
              else if (e.type === 'failed') lane.end(e.server, e.error);
              else if (e.type === 'finished' && e.ok) lane.end(e.server);
            }),
          ),
        rotation: { prompt: this.connectOptions().prompt, warn: (m) => this.out.warn(m) },
      },
    );
    warnReadFailures(this.out, r.plan);
    if (r.failedReads) this.exitCode = readFailureExitCode(r.plan);
    // a change refused for TLS or authentication exits 3, as every command does (README's exit codes)
    else if (r.result && !r.result.ok) this.exitCode = r.result.servers.some((s) => s.failed?.exitCode === 3) ? 3 : ExitCode.FAILED;
    return { check: r.check, changed: r.changed, plan: r.plan, result: r.result, requests: r.requests };
  }

  protected override render(r: Result): void {
    renderApply(this.out, r);
  }
}
