import type { Token } from '../api/types/ss.js';
import { findCert, findKey } from '../certs/inventory.js';
import { walk } from '../engine/graph.js';
import type { Change } from '../engine/types.js';
import { XrdError } from '../errors/index.js';
import { acquireLock, saveJournal, type RotationJournal } from './journal.js';
import { runbook, step, type RotationContext, type RotationStepName } from './steps.js';

export type RotationEvent =
  | { type: 'start'; rotation: string; server: string; step: RotationStepName }
  | { type: 'progress'; rotation: string; server: string; step: RotationStepName; message: string }
  | { type: 'end'; rotation: string; server: string; step: RotationStepName; status: string; message: string };

export interface RunOptions {
  /** rotations running at once (each is a chain of steps on its own server) */
  concurrency?: number;
  onEvent?: (e: RotationEvent) => void;
  stopped?: () => boolean;
  env?: NodeJS.ProcessEnv;
}

/** A crash point for the kill tests and for rehearsing a crash on the sandbox (never set in production). */
function crashPoint(step: RotationStepName, env: NodeJS.ProcessEnv): void {
  if (env.XRDCTL_CRASH_AFTER_STEP === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Compare the journal with the server before resuming: a new key or certificate that is gone (a
 * restored backup, someone's cleanup) reopens the steps that made it and every step after.
 */
export function reconcile(j: RotationJournal, tokens: Token[]): void {
  const names = runbook(j);
  const reopenFrom = (name: RotationStepName, why: string) => {
    const i = names.indexOf(name);
    if (i < 0) return;
    for (const n of names.slice(i)) {
      const rec = j.steps.find((s) => s.name === n);
      if (rec && rec.status !== 'pending') {
        rec.status = 'pending';
        rec.message = why;
      }
    }
  };
  if (j.new.renewedByServer) return;
  if (j.new.keyId && j.steps.find((s) => s.name === 'new-key')?.status === 'done' && !findKey(tokens, j.new.keyId)) {
    j.new = {};
    reopenFrom('new-key', 'the new key is no longer on the server');
    return;
  }
  const cert = j.new.hash ? findCert(tokens, j.new.hash)?.cert : undefined;
  if (j.new.hash && !cert && j.steps.find((s) => s.name === 'import')?.status === 'done') reopenFrom('import', 'the new certificate is no longer on the server');
  else if (cert && !cert.active && j.steps.find((s) => s.name === 'activate')?.status === 'done') reopenFrom('activate', 'the new certificate is no longer active');
}

/** The engine nodes of a rotation: one change per step, each depending on the one before. */
function nodes(j: RotationJournal, after?: string): Change[] {
  const names = runbook(j);
  return names.map((name, i) => ({
    id: `${j.id}/${name}`,
    server: j.server,
    kind: j.usage === 'auth' ? 'auth-cert' : 'sign-cert',
    key: j.member ?? j.usage,
    op: 'update',
    summary: `${name} (${j.usage}${j.member ? ' ' + j.member : ''})`,
    dependsOn: i > 0 ? [`${j.id}/${names[i - 1]}`] : after ? [after] : [],
  }));
}

/**
 * Run (or resume) rotations as one dependency graph on the engine's walker: each rotation is a chain
 * of its runbook's steps, rotations of different servers run in parallel, and a sign rotation runs
 * before an auth rotation of the same server (the registration is signed with the sign certificate).
 * Every step re-reads the server before it acts, so a resume after any crash starts from what the
 * server reports; the journal is written after every step.
 */
export async function runRotations(items: { journal: RotationJournal; ctx: RotationContext }[], o: RunOptions = {}): Promise<{ journal: RotationJournal; error?: unknown }[]> {
  const env = o.env ?? process.env;
  const emit = o.onEvent ?? (() => {});
  const releases: (() => void)[] = [];
  try {
    const locked = new Set<string>();
    for (const { journal } of items) {
      if (locked.has(journal.server)) continue;
      releases.push(acquireLock(journal.server, journal.id, env));
      locked.add(journal.server);
    }
    // never trust the journal blindly: what the server no longer shows is done again
    for (const it of items) reconcile(it.journal, await it.ctx.api.getTokens());
    const byNode = new Map<string, { journal: RotationJournal; ctx: RotationContext; name: RotationStepName }>();
    const graph: Change[] = [];
    for (const it of items) {
      const j = it.journal;
      const signFirst = j.usage === 'auth' ? items.find((x) => x.journal.server === j.server && x.journal.usage === 'sign') : undefined;
      const chain = nodes(j, signFirst ? `${signFirst.journal.id}/verify` : undefined);
      for (const n of chain) byNode.set(n.id, { ...it, name: n.id.slice(j.id.length + 1) as RotationStepName });
      j.status = 'running';
      j.waitingOn = undefined;
      j.error = undefined;
      for (const name of runbook(j)) if (!j.steps.some((s) => s.name === name)) j.steps.push({ name, status: 'pending' });
      saveJournal(j, env);
      graph.push(...chain);
    }
    const errors = new Map<string, unknown>();
    const halted = new Set<string>();
    await walk(
      graph,
      async (c) => {
        const { journal: j, ctx, name } = byNode.get(c.id)!;
        if (halted.has(j.id)) throw new Error('halted');
        const rec = j.steps.find((s) => s.name === name)!;
        // reconcile() reopened what the server no longer shows; the rest stays done
        if (rec.status === 'done' || rec.status === 'skipped') return;
        rec.status = 'pending';
        rec.startedAt = new Date().toISOString();
        rec.endedAt = undefined;
        emit({ type: 'start', rotation: j.id, server: j.server, step: name });
        const sctx = { ...ctx, progress: (m: string) => emit({ type: 'progress', rotation: j.id, server: j.server, step: name, message: m }) };
        try {
          const r = await step(name).run(sctx, j);
          rec.endedAt = new Date().toISOString();
          rec.message = r.message;
          if (r.status === 'waiting') {
            rec.status = 'waiting';
            j.status = 'waiting';
            j.waitingOn = r.on;
            halted.add(j.id);
            saveJournal(j, env);
            emit({ type: 'end', rotation: j.id, server: j.server, step: name, status: 'waiting', message: r.message });
            throw new Error('waiting');
          }
          rec.status = r.status;
          rec.observed = 'observed' in r ? r.observed : undefined;
          saveJournal(j, env);
          emit({ type: 'end', rotation: j.id, server: j.server, step: name, status: r.status, message: r.message });
          crashPoint(name, env);
        } catch (e) {
          if (rec.status === 'waiting') throw e;
          rec.status = 'failed';
          rec.endedAt = new Date().toISOString();
          rec.message = e instanceof XrdError ? e.oneLine() : String(e);
          j.status = 'failed';
          j.error = rec.message;
          halted.add(j.id);
          saveJournal(j, env);
          emit({ type: 'end', rotation: j.id, server: j.server, step: name, status: 'failed', message: rec.message });
          errors.set(j.id, e);
          throw e;
        }
      },
      { concurrency: Math.max(1, o.concurrency ?? 8), perServer: 1, stopped: o.stopped },
    );
    for (const { journal: j } of items) {
      if (j.status === 'running') {
        const pending = j.steps.filter((s) => s.status === 'pending');
        if (pending.length) {
          j.status = 'failed';
          j.error = o.stopped?.() ? `interrupted before ${pending[0]!.name}; xrdctl rotate resume ${j.id}` : `stopped before ${pending[0]!.name}`;
        } else j.status = 'done';
        saveJournal(j, env);
      }
    }
    return items.map((x) => ({ journal: x.journal, error: errors.get(x.journal.id) }));
  } finally {
    for (const r of releases) r();
  }
}
