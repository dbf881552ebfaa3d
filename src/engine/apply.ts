import { resolveSecret, type SecretRef } from '../config/secrets.js';
import { ConflictError, UsageError, XrdError } from '../errors/index.js';
import { execCache } from './actual.js';
import type { DesiredInstance } from '../model/desired.js';
import { accessExecutors } from './kinds/access.js';
import { centralExecutors } from './kinds/central.js';
import { certExecutors } from './kinds/certs.js';
import { clientExecutors } from './kinds/client.js';
import { serviceExecutors } from './kinds/services.js';
import { tokenExecutors } from './kinds/token.js';
import { pool, type Connections, type Plan } from './plan.js';
import type { Change, Executor } from './types.js';

const executors: Record<string, Executor> = { ...tokenExecutors, ...certExecutors, ...clientExecutors, ...serviceExecutors, ...accessExecutors };

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
  failed: { change: string; error: string } | null;
  skipped: string[];
}

export interface ApplyResult {
  changed: boolean;
  servers: ServerOutcome[];
  ok: boolean;
}

export interface ApplyOptions {
  concurrency?: number;
  timeoutMs?: number;
  onEvent?: (e: ApplyEvent) => void;
  prompt?: (m: string) => Promise<string>;
  warn?: (m: string) => void;
}

/**
 * Execute a plan: the central server's changes first (members that registrations need), then every
 * security server in parallel (bounded), each in phase order. The first failure on a server stops
 * that server (later steps depend on earlier ones) but not the others. Every executor re-checks what
 * the server reports before writing, so a rerun after a failure finishes the job without repeating it.
 */
export async function applyPlan(plan: Plan, desired: DesiredInstance, conns: Connections, o: ApplyOptions = {}): Promise<ApplyResult> {
  const emit = o.onEvent ?? (() => {});
  const outcomes: ServerOutcome[] = [];
  const runnable = (c: Change) => !!c.action && c.op !== 'unsafe' && c.op !== 'keep';

  const central = plan.servers.find((s) => s.kind === 'central');
  if (central) {
    const out: ServerOutcome = { server: central.server, changed: false, applied: [], failed: null, skipped: [] };
    for (const c of central.changes.filter(runnable)) {
      emit({ type: 'start', server: central.server, change: c.id, summary: c.summary });
      try {
        const ex = centralExecutors[c.action!.type];
        if (!ex || !conns.central) throw new UsageError(`no executor for ${c.action!.type}`);
        await ex(conns.central, c.action!.params);
        out.applied.push(c.id);
        out.changed = true;
        emit({ type: 'done', server: central.server, change: c.id });
      } catch (e) {
        const msg = e instanceof XrdError ? e.oneLine() : String(e);
        out.failed = { change: c.id, error: msg };
        emit({ type: 'failed', server: central.server, change: c.id, error: msg });
        break;
      }
    }
    outcomes.push(out);
    emit({ type: 'finished', server: out.server, changed: out.changed, ok: !out.failed });
    if (out.failed) {
      for (const s of plan.servers.filter((x) => x.kind === 'security')) outcomes.push({ server: s.server, changed: false, applied: [], failed: null, skipped: s.changes.filter(runnable).map((c) => c.id) });
      return { changed: out.changed, servers: outcomes, ok: false };
    }
  }

  const ssPlans = plan.servers.filter((s) => s.kind === 'security');
  const results = await pool(ssPlans, o.concurrency ?? 8, async (sp): Promise<ServerOutcome> => {
    const out: ServerOutcome = { server: sp.server, changed: false, applied: [], failed: null, skipped: [] };
    const todo = sp.changes.filter(runnable);
    if (!todo.length) return out;
    const desiredServer = desired.servers.find((s) => s.name === sp.server);
    const api = conns.security.get(sp.server);
    if (!desiredServer || !api) throw new ConflictError(`plan names server ${sp.server}, which the manifest does not`);
    const ctx = {
      api,
      cs: conns.central,
      central: desired.central,
      serverId: desiredServer.id,
      secret: (ref: unknown, what: string) => {
        if (!ref) throw new UsageError(`${sp.server}: ${what} is needed but the manifest gives no reference`, { server: sp.server, hint: 'add token.pin: { env: NAME } to the server' });
        return resolveSecret(ref as SecretRef, { what: `${sp.server} ${what}`, prompt: o.prompt, warn: o.warn });
      },
      progress: (_m: string) => {},
      cache: execCache(api),
      timeoutMs: o.timeoutMs ?? 300_000,
    };
    for (let i = 0; i < todo.length; i++) {
      const c = todo[i]!;
      ctx.progress = (m) => emit({ type: 'progress', server: sp.server, change: c.id, message: m });
      emit({ type: 'start', server: sp.server, change: c.id, summary: c.summary });
      try {
        const ex = executors[c.action!.type];
        if (!ex) throw new UsageError(`no executor for ${c.action!.type}`);
        await ex(ctx, c.action!.params);
        out.applied.push(c.id);
        out.changed = true;
        emit({ type: 'done', server: sp.server, change: c.id });
      } catch (e) {
        const msg = e instanceof XrdError ? e.oneLine() : String(e);
        out.failed = { change: c.id, error: msg };
        out.skipped = todo.slice(i + 1).map((x) => x.id);
        emit({ type: 'failed', server: sp.server, change: c.id, error: msg });
        break;
      }
    }
    emit({ type: 'finished', server: out.server, changed: out.changed, ok: !out.failed });
    return out;
  });
  outcomes.push(...results);
  return { changed: outcomes.some((x) => x.changed), servers: outcomes, ok: outcomes.every((x) => !x.failed) };
}
