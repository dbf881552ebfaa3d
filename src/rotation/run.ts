import type { Token } from '../api/types/ss.js';
import { findCert, findKey } from '../certs/inventory.js';
import { walk } from '../engine/graph.js';
import type { Change, ChangeKind } from '../engine/types.js';
import { XrdError } from '../errors/index.js';
import { acquireLock, saveJournal, type AnyJournal, type ConfigSigningStepName, type RotationJournal } from './journal.js';
import { runbook, step, type RotationContext, type RotationStepName, type StepResult } from './steps.js';

type AnyStepName = RotationStepName | ConfigSigningStepName;

export type RotationEvent =
  | { type: 'start'; rotation: string; server: string; step: AnyStepName }
  | { type: 'progress'; rotation: string; server: string; step: AnyStepName; message: string }
  | { type: 'end'; rotation: string; server: string; step: AnyStepName; status: string; message: string };

/**
 * One runbook to walk, whatever it rotates: its journal, its steps in order, how one step runs (given a
 * progress callback) and what to compare with the servers before resuming. Certificate rotations and
 * configuration signing key changes are both walked by runRunbooks.
 */
export interface RunbookItem {
  journal: AnyJournal;
  names: AnyStepName[];
  kind: ChangeKind;
  key: string;
  label: string;
  /** the node of another runbook this one starts after */
  after?: string;
  run(name: AnyStepName, progress: (m: string) => void): Promise<StepResult>;
  reconcile(): Promise<void>;
}

export interface RunOptions {
  /** rotations running at once (each is a chain of steps on its own server) */
  concurrency?: number;
  onEvent?: (e: RotationEvent) => void;
  stopped?: () => boolean;
  env?: NodeJS.ProcessEnv;
}

/** A crash point for the kill tests and for rehearsing a crash on the sandbox (never set in production). */
function crashPoint(step: AnyStepName, env: NodeJS.ProcessEnv): void {
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
  if (j.new.hash && !cert && j.steps.find((s) => s.name === 'import')?.status === 'done')
    reopenFrom('import', 'the new certificate is no longer on the server');
  else if (cert && !cert.active && j.steps.find((s) => s.name === 'activate')?.status === 'done')
    reopenFrom('activate', 'the new certificate is no longer active');
}

/**
 * Run (or resume) rotations as one dependency graph on the engine's walker: each rotation is a chain
 * of its runbook's steps, rotations of different servers run in parallel, and a sign rotation runs
 * before an auth rotation of the same server (the registration is signed with the sign certificate).
 * Every step re-reads the server before it acts, so a resume after any crash starts from what the
 * server reports; the journal is written after every step.
 */
export async function runRotations(
  items: { journal: RotationJournal; ctx: RotationContext }[],
  o: RunOptions = {},
): Promise<{ journal: RotationJournal; error?: unknown }[]> {
  const runbooks: RunbookItem[] = items.map(({ journal: j, ctx }) => {
    const signFirst = j.usage === 'auth' ? items.find((x) => x.journal.server === j.server && x.journal.usage === 'sign') : undefined;
    return {
      journal: j,
      names: runbook(j),
      kind: j.usage === 'auth' ? 'auth-cert' : 'sign-cert',
      key: j.member ?? j.usage,
      label: `${j.usage}${j.member ? ' ' + j.member : ''}`,
      after: signFirst ? `${signFirst.journal.id}/verify` : undefined,
      run: (name, progress) => step(name as RotationStepName).run({ ...ctx, progress }, j),
      // never trust the journal blindly: what the server no longer shows is done again
      reconcile: async () => reconcile(j, await ctx.api.getTokens()),
    };
  });
  return (await runRunbooks(runbooks, o)) as { journal: RotationJournal; error?: unknown }[];
}

/** Walk runbooks (each a chain of steps, one lock per server, the journal written after every step). */
export async function runRunbooks(items: RunbookItem[], o: RunOptions = {}): Promise<{ journal: AnyJournal; error?: unknown }[]> {
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
    for (const it of items) await it.reconcile();
    const byNode = new Map<string, { item: RunbookItem; name: AnyStepName }>();
    const graph: Change[] = [];
    for (const it of items) {
      const j = it.journal;
      const chain: Change[] = it.names.map((name, i) => ({
        id: `${j.id}/${name}`,
        server: j.server,
        kind: it.kind,
        key: it.key,
        op: 'update',
        summary: `${name} (${it.label})`,
        dependsOn: i > 0 ? [`${j.id}/${it.names[i - 1]}`] : it.after ? [it.after] : [],
      }));
      for (const n of chain) byNode.set(n.id, { item: it, name: n.id.slice(j.id.length + 1) as AnyStepName });
      j.status = 'running';
      j.waitingOn = undefined;
      j.error = undefined;
      for (const name of it.names) if (!j.steps.some((s) => s.name === name)) j.steps.push({ name, status: 'pending' });
      saveJournal(j, env);
      graph.push(...chain);
    }
    const errors = new Map<string, unknown>();
    const halted = new Set<string>();
    await walk(
      graph,
      async (c) => {
        const { item, name } = byNode.get(c.id)!;
        const j = item.journal;
        if (halted.has(j.id)) throw new Error('halted');
        const rec = j.steps.find((s) => s.name === name)!;
        // reconcile() reopened what the server no longer shows; the rest stays done
        if (rec.status === 'done' || rec.status === 'skipped') return;
        rec.status = 'pending';
        rec.startedAt = new Date().toISOString();
        rec.endedAt = undefined;
        emit({ type: 'start', rotation: j.id, server: j.server, step: name });
        try {
          const r = await item.run(name, (m: string) => emit({ type: 'progress', rotation: j.id, server: j.server, step: name, message: m }));
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
