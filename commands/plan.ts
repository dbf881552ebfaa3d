import { Flags } from '../src/cli/oclif.js';
import { XrdCommand } from '../src/cli/base.js';
import { concurrencyFlag, manifestArgs } from '../src/cli/manifest-flags.js';
import { planSchema } from '../src/cli/plan-schema.js';
import { ExitCode } from '../src/errors/index.js';
import { pendingChanges, readFailureExitCode, type Plan } from '../src/engine/plan.js';
import { renderPlan, warnReadFailures } from '../src/output/plan.js';
import { loadDesired, planFor, savePlan } from '../src/services/plan.js';

type Result = Plan & { requests: number; out: string | null };

export default class PlanCmd extends XrdCommand<typeof PlanCmd, Result> {
  static override summary = 'Read every server of the manifests and show what apply would change (+ create, ~ change, - delete, ! needs attention).';
  static override strict = false;
  static override args = manifestArgs;
  static override flags = {
    'detailed-exitcode': Flags.boolean({ description: 'exit 4 when changes are pending (0: none)' }),
    out: Flags.string({ description: 'save the plan: xrdctl apply PLAN.json runs exactly it, if the servers did not change since' }),
    concurrency: concurrencyFlag,
  };
  static override examples = ['<%= config.bin %> plan examples/small/manifest.yaml', '<%= config.bin %> plan manifests/ --detailed-exitcode --json'];
  static override resultSchema = planSchema({ requests: { type: 'integer' }, out: { anyOf: [{ type: 'string' }, { type: 'null' }] } });

  protected async execute(): Promise<Result> {
    const { desired, expansions } = await loadDesired(this.positional);
    const { plan, session } = await planFor(desired, { ...this.connectOptions(), concurrency: this.flags.concurrency });
    this.onClose(() => session.close());
    if (this.flags.out) savePlan(this.flags.out, plan, desired, expansions);
    const failed = readFailureExitCode(plan);
    warnReadFailures(this.out, plan);
    if (failed) this.exitCode = failed;
    else if (this.flags['detailed-exitcode'] && pendingChanges(plan) > 0) this.exitCode = ExitCode.CHANGES;
    return { ...plan, requests: session.requestCount(), out: this.flags.out ?? null };
  }

  protected override render(r: Result): void {
    renderPlan(this.out, r);
    if (r.out) this.out.print(`saved to ${r.out}: xrdctl apply ${r.out}`);
  }
}
