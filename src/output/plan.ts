import type { Output } from './index.js';
import type { ApplyResult } from '../engine/apply.js';
import type { Plan } from '../engine/plan.js';

const SIGN = { create: '+', update: '~', delete: '-', unsafe: '!', keep: '=' } as const;
const STEP = '>';
const MAX_VALUE = 80;

/** One value of a diff as the reader would write it: strings quoted, nothing as (none), long values cut. */
function shown(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  const t = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return t.length > MAX_VALUE ? `${t.slice(0, MAX_VALUE - 1)}…` : t;
}

/**
 * Terraform-like plan text: + create, ~ change (each with before → after), - delete, ! unsafe (not done by apply),
 * > a step apply takes on the way (token login, a wait; not counted as a change), and after the servers the
 * objects left alone (not in the manifest, not pruned). A server that could not be read is said so in the summary.
 */
export function renderPlan(o: Output, plan: Plan): void {
  const c = o.out;
  const color = { create: c.green, update: c.yellow, delete: c.red, unsafe: c.magenta, keep: c.dim } as const;
  const leftAlone: string[] = [];
  for (const s of plan.servers) {
    if (s.error) {
      o.print(`${c.bold(s.server)}: ${c.red('cannot read: ' + s.error)}`);
      continue;
    }
    const shownChanges = s.changes.filter((ch) => ch.op !== 'keep');
    leftAlone.push(...s.changes.filter((ch) => ch.op === 'keep').map((ch) => `${s.server}: ${ch.summary}`));
    if (!shownChanges.length) {
      o.print(`${c.bold(s.server)}: ${c.dim('up to date')}`);
      continue;
    }
    o.print(c.bold(`${s.server}:`));
    for (const ch of shownChanges) {
      if (ch.step) {
        o.print(c.cyan(`  ${STEP} ${ch.summary} (step)`));
        continue;
      }
      o.print(color[ch.op](`  ${SIGN[ch.op]} ${ch.summary}${ch.prune ? ' (prune)' : ''}`));
      if (ch.op === 'update')
        for (const [field, d] of Object.entries(ch.diff ?? {})) o.print(`      ${field}: ${c.red(shown(d.from))} → ${c.green(shown(d.to))}`);
    }
  }
  if (leftAlone.length) {
    o.print('');
    o.print(c.dim('Left alone (not in the manifest, not pruned):'));
    for (const l of leftAlone) o.print(c.dim(`  = ${l}`));
  }
  const m = plan.summary;
  const steps = m.steps ?? 0;
  const stepText = steps ? `; ${steps} step(s) on the way (>)` : '';
  o.print('');
  const unread = plan.servers.filter((s) => s.error);
  if (unread.length) {
    o.print(
      c.red(
        `${unread.length} server(s) could not be read (${unread.map((s) => s.server).join(', ')}): the plan is incomplete, nothing is planned for them and nothing was changed.` +
          (m.create + m.update + m.delete ? ` For the others: ${m.create} to create, ${m.update} to change, ${m.delete} to delete.` : ''),
      ),
    );
    return;
  }
  const alone = leftAlone.length ? ` ${leftAlone.length} left alone (=).` : '';
  o.print(
    m.create + m.update + m.delete === 0
      ? `No changes${steps ? `; apply would take ${steps} step(s) (>)` : ''}.${m.unsafe ? ` ${m.unsafe} item(s) need attention (!).` : ''}${alone}`
      : `Plan: ${m.create} to create, ${m.update} to change, ${m.delete} to delete${m.unsafe ? `, ${m.unsafe} need attention (!)` : ''}${stepText}.${alone}`,
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
    if (s.failed)
      o.print(
        `${o.out.bold(s.server)}: ${o.out.red('failed')} at ${s.failed.change}: ${s.failed.error}${s.skipped.length ? ` (${s.skipped.length} step(s) that depend on it not run; rerun apply to continue)` : ''}`,
      );
    else if (s.skipped.length) o.print(`${o.out.bold(s.server)}: ${o.out.yellow(`${s.skipped.length} step(s) not run`)}; rerun apply to continue`);
    else if (s.changed) o.print(`${o.out.bold(s.server)}: ${o.out.green(`${s.applied.length} change(s) applied`)}`);
  }
  o.print(
    r.result.ok
      ? o.out.green(`Apply complete (${r.requests} requests).`)
      : o.out.red('Apply failed; the servers are consistent and a rerun continues from what they report.'),
  );
}

/** Servers a plan could not read, as warnings on stderr (also with --json, where stdout is the document). */
export function warnReadFailures(o: Output, plan: Plan): void {
  for (const s of plan.servers) if (s.error) o.warn(`${s.server}: cannot read: ${s.error}`);
}
