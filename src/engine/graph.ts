import type { Change, DependencyIndex } from './types.js';
import { kindOf } from './kinds/index.js';

/**
 * An index over the runnable changes of a plan, for kinds naming what they depend on: by action type
 * and server, so that a lookup reads one server's changes of one type, not the whole plan (a fleet's
 * plan has tens of thousands of changes, and every change looks up its dependencies).
 */
export function dependencyIndex(changes: Change[]): DependencyIndex {
  const byType = new Map<string, { all: Change[]; byServer: Map<string, Change[]> }>();
  const byId = new Map<string, Change[]>(); // `${type} ${params.id}`
  const byClient = new Map<string, Change[]>(); // `${type} ${server} ${params.clientId}`
  const add = (m: Map<string, Change[]>, k: string, c: Change) => {
    const l = m.get(k);
    if (l) l.push(c);
    else m.set(k, [c]);
  };
  for (const c of changes) {
    if (!c.action) continue;
    const params = c.action.params as { id?: unknown; clientId?: unknown } | undefined;
    if (typeof params?.id === 'string') add(byId, `${c.action.type} ${params.id}`, c);
    if (typeof params?.clientId === 'string') add(byClient, `${c.action.type} ${c.server} ${params.clientId}`, c);
    let t = byType.get(c.action.type);
    if (!t) byType.set(c.action.type, (t = { all: [], byServer: new Map() }));
    t.all.push(c);
    const list = t.byServer.get(c.server);
    if (list) list.push(c);
    else t.byServer.set(c.server, [c]);
  }
  return {
    find: (type, test = () => true, server) => {
      const t = byType.get(type);
      if (!t) return [];
      const list = server ? (t.byServer.get(server) ?? []) : t.all;
      return list.filter((c) => test(c.action!.params as never, c)).map((c) => c.id);
    },
    withId: (type, id, server) => (byId.get(`${type} ${id}`) ?? []).filter((c) => !server || c.server === server).map((c) => c.id),
    forClient: (type, server, clientId, test = () => true) =>
      (byClient.get(`${type} ${server} ${clientId}`) ?? []).filter((c) => test(c.action!.params as never, c)).map((c) => c.id),
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
 *
 * Each change counts the dependencies it still waits for, and each finished change tells only its own
 * dependents: a walk costs the size of the graph, not changes × changes (a large fleet has tens of
 * thousands). Ready changes wait in one queue per server, in the plan's order.
 */
export async function walk(changes: Change[], run: (c: Change) => Promise<void>, o: WalkOptions): Promise<Map<string, NodeOutcome>> {
  const cycle = findCycle(changes);
  if (cycle) throw new Error(`engine: dependency cycle ${cycle.join(' → ')}`);
  const byId = new Map(changes.map((c) => [c.id, c]));
  const outcome = new Map<string, NodeOutcome>();
  const pending = new Map<Change, number>();
  const dependents = new Map<string, Change[]>();
  const ready = new Map<string, Change[]>(); // server → ready changes, in plan order
  const runningOn = new Map<string, number>();
  let running = 0;
  let left = changes.length;
  const enqueue = (c: Change) => {
    const q = ready.get(c.server);
    if (q) q.push(c);
    else ready.set(c.server, [c]);
  };
  for (const c of changes) {
    const deps = [...new Set(c.dependsOn.filter((d) => byId.has(d) && d !== c.id))];
    pending.set(c, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(c);
      else dependents.set(d, [c]);
    }
  }
  for (const c of changes) if (pending.get(c) === 0) enqueue(c);
  /** a change that did not get done skips what depends on it, transitively (each names the first cause) */
  const skipDependents = (id: string) => {
    const stack = [id];
    while (stack.length) {
      const cur = stack.pop()!;
      for (const c of dependents.get(cur) ?? []) {
        if (outcome.has(c.id) || pending.get(c) === -1) continue;
        pending.set(c, -1); // never runs
        outcome.set(c.id, { status: 'skipped', because: cur });
        left--;
        stack.push(c.id);
      }
    }
  };
  return new Promise((resolve) => {
    const finish = (c: Change, r: NodeOutcome) => {
      outcome.set(c.id, r);
      left--;
      running--;
      runningOn.set(c.server, runningOn.get(c.server)! - 1);
      if (r.status === 'done') {
        for (const d of dependents.get(c.id) ?? []) {
          const n = pending.get(d)!;
          if (n <= 0) continue;
          pending.set(d, n - 1);
          if (n === 1) enqueue(d);
        }
      } else skipDependents(c.id);
      pump();
    };
    const pump = () => {
      if (o.stopped?.()) {
        for (const c of changes) {
          if (outcome.has(c.id) || pending.get(c) === -2) continue;
          if (pending.get(c) === -3) continue; // running
          pending.set(c, -2);
          outcome.set(c.id, { status: 'skipped', because: 'interrupted' });
          left--;
        }
        ready.clear();
      }
      for (const [server, q] of ready) {
        while (q.length && running < o.concurrency && (runningOn.get(server) ?? 0) < o.perServer) {
          const c = q.shift()!;
          if (outcome.has(c.id)) continue;
          pending.set(c, -3);
          running++;
          runningOn.set(server, (runningOn.get(server) ?? 0) + 1);
          run(c).then(
            () => finish(c, { status: 'done' }),
            (error: unknown) => finish(c, { status: 'failed', error }),
          );
        }
        if (!q.length) ready.delete(server);
        if (running >= o.concurrency) break;
      }
      if (running === 0) {
        // nothing runs and nothing is ready: what is left cannot be reached
        if (left > 0)
          for (const c of changes)
            if (!outcome.has(c.id)) {
              outcome.set(c.id, { status: 'skipped', because: 'unreachable' });
              left--;
            }
        resolve(outcome);
      }
    };
    pump();
  });
}
