import type { Output } from './index.js';
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
  o.print(
    m.create + m.update + m.delete === 0
      ? `No changes.${m.unsafe ? ` ${m.unsafe} item(s) need attention (!).` : ''}`
      : `Plan: ${m.create} to create, ${m.update} to change, ${m.delete} to delete${m.unsafe ? `, ${m.unsafe} need attention (!)` : ''}.`,
  );
}
