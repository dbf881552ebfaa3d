import type { Change, DependencyIndex } from './types.js';
import { kindOf } from './kinds/index.js';

/** An index over the runnable changes of a plan, for kinds naming what they depend on. */
export function dependencyIndex(changes: Change[]): DependencyIndex {
  const byType = new Map<string, Change[]>();
  for (const c of changes) {
    if (!c.action) continue;
    const list = byType.get(c.action.type) ?? [];
    list.push(c);
    byType.set(c.action.type, list);
  }
  return {
    find: (type, test = () => true, server) =>
      (byType.get(type) ?? []).filter((c) => (!server || c.server === server) && test(c.action!.params as never, c)).map((c) => c.id),
  };
}

/**
 * Fill every change's dependsOn from its kind (in place; returns the changes). One rule is the
 * engine's own: nothing happens on a security server before the server is initialised.
 */
export function link(changes: Change[]): Change[] {
  const ix = dependencyIndex(changes);
  const init = new Map(changes.filter((c) => c.action?.type === 'init-server').map((c) => [c.server, c.id]));
  for (const c of changes) {
    if (!c.action) continue;
    const k = kindOf(c.action.type);
    const own = k ? k.dependsOn(c as never, ix) : [];
    const first = init.get(c.server);
    c.dependsOn = [...new Set([...own, ...(first && k?.scope === 'security' ? [first] : [])])].filter((id) => id !== c.id);
  }
  return changes;
}

/** A cycle among the changes, as ids, or undefined. */
export function findCycle(changes: Change[]): string[] | undefined {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 2) return undefined;
    if (state.get(id) === 1) return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 1);
    stack.push(id);
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(d)) continue;
      const cyc = visit(d);
      if (cyc) return cyc;
    }
    stack.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const c of changes) {
    const cyc = visit(c.id);
    if (cyc) return cyc;
  }
  return undefined;
}

export type NodeOutcome = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'skipped'; because: string };

export interface WalkOptions {
  /** changes running at once, overall */
  concurrency: number;
  /** changes running at once on one server */
  perServer: number;
  /** stop starting new changes (Ctrl-C): what has not started is skipped */
  stopped?: () => boolean;
}

/**
 * Walk the dependency graph: a change starts when every change it depends on (within the list) is
 * done; independent changes run in parallel within the limits. A failure skips only what depends on
 * it, transitively; everything else goes on. Returns each change's outcome by id.
 */
export async function walk(changes: Change[], run: (c: Change) => Promise<void>, o: WalkOptions): Promise<Map<string, NodeOutcome>> {
  const cycle = findCycle(changes);
  if (cycle) throw new Error(`engine: dependency cycle ${cycle.join(' → ')}`);
  const ids = new Set(changes.map((c) => c.id));
  const outcome = new Map<string, NodeOutcome>();
  const waiting = new Set(changes);
  const runningOn = new Map<string, number>();
  let running = 0;
  return new Promise((resolve) => {
    const pump = () => {
      for (const c of [...waiting]) {
        const deps = c.dependsOn.filter((d) => ids.has(d));
        const bad = deps.find((d) => outcome.has(d) && outcome.get(d)!.status !== 'done');
        if (bad || o.stopped?.()) {
          waiting.delete(c);
          outcome.set(c.id, { status: 'skipped', because: bad ?? 'interrupted' });
          continue;
        }
        if (!deps.every((d) => outcome.get(d)?.status === 'done')) continue;
        if (running >= o.concurrency || (runningOn.get(c.server) ?? 0) >= o.perServer) continue;
        waiting.delete(c);
        running++;
        runningOn.set(c.server, (runningOn.get(c.server) ?? 0) + 1);
        run(c)
          .then(
            () => outcome.set(c.id, { status: 'done' }),
            (error: unknown) => outcome.set(c.id, { status: 'failed', error }),
          )
          .finally(() => {
            running--;
            runningOn.set(c.server, runningOn.get(c.server)! - 1);
            pump();
          });
      }
      // a skip can unblock (skip) others: settle until nothing changes, then finish when idle
      if (running === 0) {
        if (waiting.size === 0) resolve(outcome);
        else if ([...waiting].some((c) => c.dependsOn.some((d) => outcome.has(d) && outcome.get(d)!.status !== 'done'))) pump();
        else {
          for (const c of waiting) outcome.set(c.id, { status: 'skipped', because: 'unreachable' });
          resolve(outcome);
        }
      }
    };
    pump();
  });
}
