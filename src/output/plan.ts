import type { Output } from './index.js';
import type { ApplyResult } from '../engine/apply.js';
import type { Plan } from '../engine/plan.js';

const SIGN = { create: '+', update: '~', delete: '-', unsafe: '!', keep: '=' } as const;

/** Terraform-like plan text: + create, ~ change, - delete, ! unsafe (not done by apply), = left alone. */
export function renderPlan(o: Output, plan: Plan): void {
  const c = o.out;
  const color = { create: c.green, update: c.yellow, delete: c.red, unsafe: c.magenta, keep: c.dim } as const;
  for (const s of plan.servers) {
    if (s.error) {
      o.print(`${c.bold(s.server)}: ${c.red('cannot read: ' + s.error)}`);
      continue;
    }
    if (!s.changes.length) {
      o.print(`${c.bold(s.server)}: ${c.dim('up to date')}`);
      continue;
    }
    o.print(c.bold(`${s.server}:`));
    for (const ch of s.changes) {
      const line = `  ${SIGN[ch.op]} ${ch.summary}${ch.prune ? ' (prune)' : ''}`;
      o.print(color[ch.op](line));
    }
  }
  const m = plan.summary;
  o.print('');
  const unread = plan.servers.filter((s) => s.error).length;
  if (unread) {
    o.print(c.red(`${unread} server(s) could not be read: nothing is planned for them, and nothing was changed.`));
    return;
  }
  o.print(
    m.create + m.update + m.delete === 0
      ? `No changes.${m.unsafe ? ` ${m.unsafe} item(s) need attention (!).` : ''}`
      : `Plan: ${m.create} to create, ${m.update} to change, ${m.delete} to delete${m.unsafe ? `, ${m.unsafe} need attention (!)` : ''}.`,
  );
}

/** What apply did, per server, and how it ended. */
export function renderApply(o: Output, r: { check: boolean; changed: boolean; plan: Plan; result: ApplyResult | null; requests: number }): void {
  if (r.check || !r.result) {
    renderPlan(o, r.plan);
    if (!r.check && !r.changed && !r.plan.servers.some((s) => s.error)) o.print(o.out.green('Nothing to do.'));
    return;
  }
  for (const s of r.result.servers) {
    if (s.failed) o.print(`${o.out.bold(s.server)}: ${o.out.red('failed')} at ${s.failed.change}: ${s.failed.error}${s.skipped.length ? ` (${s.skipped.length} step(s) that depend on it not run; rerun apply to continue)` : ''}`);
    else if (s.skipped.length) o.print(`${o.out.bold(s.server)}: ${o.out.yellow(`${s.skipped.length} step(s) not run`)}; rerun apply to continue`);
    else if (s.changed) o.print(`${o.out.bold(s.server)}: ${o.out.green(`${s.applied.length} change(s) applied`)}`);
  }
  o.print(r.result.ok ? o.out.green(`Apply complete (${r.requests} requests).`) : o.out.red('Apply failed; the servers are consistent and a rerun continues from what they report.'));
}

/** Servers a plan could not read, as warnings on stderr (also with --json, where stdout is the document). */
export function warnReadFailures(o: Output, plan: Plan): void {
  for (const s of plan.servers) if (s.error) o.warn(`${s.server}: cannot read: ${s.error}`);
}
