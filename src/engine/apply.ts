import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { resolveSecret } from '../config/secrets.js';
import { ConflictError, UsageError, XrdError } from '../errors/index.js';
import type { DesiredInstance } from '../model/desired.js';
import { execCache } from './actual.js';
import { walk } from './graph.js';
import { kindOf } from './kinds/index.js';
import type { Connections, Plan } from './plan.js';
import type { ActionOf, CentralExecContext, Change, ExecContext } from './types.js';

export type ApplyEvent =
  | { type: 'start'; server: string; change: string; summary: string }
  | { type: 'progress'; server: string; change: string; message: string }
  | { type: 'done'; server: string; change: string }
  | { type: 'failed'; server: string; change: string; error: string }
  | { type: 'finished'; server: string; changed: boolean; ok: boolean };

export interface ServerOutcome {
  server: string;
  changed: boolean;
  applied: string[];
  /** the first change that failed on this server, with the exit code of its error (3: TLS or authentication refused) */
  failed: { change: string; error: string; exitCode?: number } | null;
  /** changes not run because something they depend on failed (or the run was interrupted) */
  skipped: string[];
}

export interface ApplyResult {
  changed: boolean;
  servers: ServerOutcome[];
  ok: boolean;
}

export interface ApplyOptions {
  /** changes running at once overall (servers × their independent changes) */
  concurrency?: number;
  /** changes running at once on one server (the HTTP layer also keeps each server under its rate limit) */
  perServer?: number;
  timeoutMs?: number;
  onEvent?: (e: ApplyEvent) => void;
  prompt?: (m: string) => Promise<string>;
  warn?: (m: string) => void;
  stopped?: () => boolean;
  /** the rotation runbook, for changes that rotate a certificate */
  rotate?: ExecContext['rotate'];
}

export const runnable = (c: Change) => !!c.action && c.op !== 'unsafe' && c.op !== 'keep';

/** Run one action of its kind: the one code path of apply, rotation and the imperative commands. */
export async function runAction(action: ActionOf<string, unknown>, ctx: { ss?: ExecContext; cs?: CentralExecContext }): Promise<void> {
  const kind = kindOf(action.type);
  if (!kind) throw new UsageError(`no kind of the engine defines the action ${JSON.stringify(action.type)}`);
  const fn = kind.actions[action.type]!;
  if (kind.scope === 'central') {
    if (!ctx.cs) throw new UsageError(`${action.type} needs a central server`);
    await fn(ctx.cs, action.params);
  } else {
    if (!ctx.ss) throw new UsageError(`${action.type} needs a security server`);
    await fn(ctx.ss, action.params);
  }
}

/**
 * Execute a plan: every runnable change of every server is a node of one dependency graph (the
 * central server's members before the clients that need them, the token before certificates,
 * certificates before registrations, …). Independent changes run in parallel, bounded overall and per
 * server; a failure skips only what depends on it. Every action re-checks what the server reports
 * before writing, so a rerun after a failure finishes the job without repeating it.
 */
export async function applyPlan(plan: Plan, desired: DesiredInstance, conns: Connections, o: ApplyOptions = {}): Promise<ApplyResult> {
  const emit = o.onEvent ?? (() => {});
  const todo = plan.servers.flatMap((s) => s.changes.filter(runnable));
  const contexts = new Map<string, ExecContext>();
  const ssContext = (server: string): ExecContext => {
    let ctx = contexts.get(server);
    if (ctx) return ctx;
    const d = desired.servers.find((s) => s.name === server);
    const api = conns.security.get(server);
    if (!d || !api) throw new ConflictError(`plan names server ${server}, which the manifest does not`);
    ctx = {
      api,
      cs: conns.central,
      approve: !!desired.central?.approveRequests,
      serverId: d.id,
      secret: (ref, what) => {
        if (!ref)
          throw new UsageError(`${server}: ${what} is needed but the manifest gives no reference`, {
            server,
            hint: 'add token.pin: { env: NAME } to the server',
          });
        return resolveSecret(ref, { what: `${server} ${what}`, prompt: o.prompt, warn: o.warn });
      },
      progress: () => {},
      cache: execCache(api),
      timeoutMs: o.timeoutMs ?? 300_000,
      rotate: o.rotate,
    };
    contexts.set(server, ctx);
    return ctx;
  };
  const centralName = plan.servers.find((s) => s.kind === 'central')?.server;
  const remaining = new Map<string, number>();
  for (const c of todo) remaining.set(c.server, (remaining.get(c.server) ?? 0) + 1);
  const outcomes = new Map<string, ServerOutcome>();
  for (const s of plan.servers)
    if (remaining.has(s.server)) outcomes.set(s.server, { server: s.server, changed: false, applied: [], failed: null, skipped: [] });
  const settle = (server: string) => {
    const n = remaining.get(server)! - 1;
    remaining.set(server, n);
    if (n === 0) {
      const out = outcomes.get(server)!;
      emit({ type: 'finished', server, changed: out.changed, ok: !out.failed });
    }
  };

  const result = await walk(
    todo,
    async (c) => {
      emit({ type: 'start', server: c.server, change: c.id, summary: c.summary });
      const progress = (message: string) => emit({ type: 'progress', server: c.server, change: c.id, message });
      const out = outcomes.get(c.server)!;
      try {
        if (c.server === centralName) {
          if (!conns.central) throw new UsageError(`the manifest names no central server connection for ${c.id}`);
          await runAction(c.action!, { cs: { cs: conns.central, progress } });
        } else {
          await runAction(c.action!, { ss: { ...ssContext(c.server), progress } });
        }
        out.applied.push(c.id);
        out.changed = true;
        emit({ type: 'done', server: c.server, change: c.id });
      } catch (e) {
        const msg = e instanceof XrdError ? e.oneLine() : String(e);
        if (!out.failed) out.failed = { change: c.id, error: msg, exitCode: e instanceof XrdError ? e.exitCode : 1 };
        emit({ type: 'failed', server: c.server, change: c.id, error: msg });
        throw e;
      } finally {
        settle(c.server);
      }
    },
    { concurrency: Math.max(1, o.concurrency ?? 8) * Math.max(1, o.perServer ?? 4), perServer: Math.max(1, o.perServer ?? 4), stopped: o.stopped },
  );
  for (const c of todo) {
    const r = result.get(c.id);
    if (r?.status === 'skipped') {
      outcomes.get(c.server)!.skipped.push(c.id);
      settle(c.server);
    }
  }
  const servers = [...outcomes.values()];
  return { changed: servers.some((x) => x.changed), servers, ok: servers.every((x) => !x.failed && x.skipped.length === 0) };
}

/**
 * Run one change of a kind for an imperative command (`xrdctl client add`, `service set`, …): the
 * same action apply runs, with the same meaning of `changed` (the server needed a write).
 */
export async function applyOne(
  action: ActionOf<string, unknown>,
  target:
    | { api: SecurityServerApi; cs?: CentralServerApi; approve?: boolean; serverId?: string; timeoutMs?: number; progress?: (m: string) => void }
    | { cs: CentralServerApi; progress?: (m: string) => void },
): Promise<{ changed: boolean }> {
  const progress = target.progress ?? (() => {});
  if ('api' in target) {
    const before = target.api.http.writeCount + (target.cs?.http.writeCount ?? 0);
    await runAction(action, {
      ss: {
        api: target.api,
        cs: target.cs,
        approve: !!target.approve && !!target.cs,
        serverId: target.serverId ?? '',
        secret: () => Promise.reject(new UsageError(`${action.type} needs a secret reference`)),
        progress,
        cache: execCache(target.api),
        timeoutMs: target.timeoutMs ?? 300_000,
      },
    });
    return { changed: target.api.http.writeCount + (target.cs?.http.writeCount ?? 0) > before };
  }
  const before = target.cs.http.writeCount;
  await runAction(action, { cs: { cs: target.cs, progress } });
  return { changed: target.cs.http.writeCount > before };
}
