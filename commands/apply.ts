import { Flags } from '@oclif/core';
import { XrdCommand } from '../src/cli/base.js';
import { concurrencyFlag, manifestArgs } from '../src/cli/manifest-flags.js';
import { planSchema } from '../src/cli/plan-schema.js';
import { ExitCode } from '../src/errors/index.js';
import { applyPlan, type ApplyResult } from '../src/engine/apply.js';
import { openSession } from '../src/services/session.js';
import { pendingChanges, type Plan } from '../src/engine/plan.js';
import { renderPlan } from '../src/output/plan.js';
import { assertNoDrift, desiredFrom, planFor, readSavedPlan } from '../src/services/plan.js';

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
  static override examples = ['<%= config.bin %> apply examples/small/manifest.yaml --yes', '<%= config.bin %> apply plan.json --yes --json', '<%= config.bin %> apply manifest.yaml --check --json'];
  static override resultSchema = {
    type: 'object',
    required: ['check', 'changed', 'plan', 'result', 'requests'],
    properties: {
      check: { type: 'boolean' },
      changed: { type: 'boolean', description: 'whether anything was (or, with --check, would be) changed' },
      plan: planSchema(),
      result: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['changed', 'servers', 'ok'],
            properties: {
              changed: { type: 'boolean' },
              ok: { type: 'boolean' },
              servers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['server', 'changed', 'applied', 'failed', 'skipped'],
                  properties: {
                    server: { type: 'string' },
                    changed: { type: 'boolean' },
                    applied: { type: 'array', items: { type: 'string' } },
                    skipped: { type: 'array', items: { type: 'string' } },
                    failed: { anyOf: [{ type: 'null' }, { type: 'object', required: ['change', 'error'], properties: { change: { type: 'string' }, error: { type: 'string' } } }] },
                  },
                  additionalProperties: false,
                },
              },
            },
            additionalProperties: false,
          },
        ],
      },
      requests: { type: 'integer', description: 'HTTP requests sent' },
      warnings: { type: 'array', items: { type: 'string' } },
    },
    additionalProperties: false,
  };

  protected async execute(): Promise<Result> {
    const f = this.flags;
    const saved = this.positional.length === 1 ? readSavedPlan(this.positional[0]!) : undefined;
    const desired = saved?.desired ?? (await desiredFrom(this.positional));
    const opts = { ...this.connectOptions(), concurrency: f.concurrency };
    let plan: Plan;
    let session;
    if (saved) {
      session = await openSession(desired, opts);
      this.onClose(() => session!.close());
      await assertNoDrift(saved, session);
      plan = saved;
    } else {
      ({ plan, session } = await planFor(desired, opts));
      this.onClose(() => session!.close());
    }
    const failedReads = plan.servers.filter((s) => s.error);
    const pending = pendingChanges(plan);
    if (f.check || pending === 0 || failedReads.length) {
      if (failedReads.length) this.exitCode = ExitCode.FAILED;
      return { check: f.check, changed: f.check ? pending > 0 : false, plan, result: null, requests: session.requestCount() };
    }
    if (!this.flags.json) renderPlan(this.out, plan);
    await this.confirm(`apply ${pending} change(s) to ${plan.servers.filter((s) => s.changes.some((c) => c.action)).length} server(s)?`);
    const names = plan.servers.filter((s) => s.changes.some((c) => c.action && c.op !== 'unsafe' && c.op !== 'keep')).map((s) => s.server);
    const result = await this.out.lanes(names, (lane) =>
      applyPlan(plan, desired, session!, {
        concurrency: f.concurrency,
        timeoutMs: f.timeout * 1000,
        prompt: (m) => this.out.secret(m, { flag: 'a { env: … } or { file: … } secret reference in the manifest' }),
        warn: (m) => this.out.warn(m),
        onEvent: (e) => {
          lane.event(e);
          if (e.type === 'start') lane.update(e.server, e.summary);
          else if (e.type === 'progress') lane.update(e.server, e.message);
          else if (e.type === 'failed') lane.end(e.server, e.error);
          else if (e.type === 'finished' && e.ok) lane.end(e.server);
        },
      }),
    );
    if (!result.ok) this.exitCode = ExitCode.FAILED;
    return { check: false, changed: result.changed, plan, result, requests: session.requestCount() };
  }

  protected override render(r: Result): void {
    const o = this.out;
    if (r.check || !r.result) {
      renderPlan(o, r.plan);
      if (!r.check && !r.changed) o.print(o.out.green('Nothing to do.'));
      return;
    }
    for (const s of r.result.servers) {
      if (s.failed) o.print(`${o.out.bold(s.server)}: ${o.out.red('failed')} at ${s.failed.change}: ${s.failed.error}${s.skipped.length ? ` (${s.skipped.length} later step(s) not run; rerun apply to continue)` : ''}`);
      else if (s.changed) o.print(`${o.out.bold(s.server)}: ${o.out.green(`${s.applied.length} change(s) applied`)}`);
    }
    o.print(r.result.ok ? o.out.green(`Apply complete (${r.requests} requests).`) : o.out.red('Apply failed; the servers are consistent and a rerun continues from what they report.'));
  }
}
