import { applyPlan, runnable, type ApplyEvent, type ApplyResult } from '../engine/apply.js';
import { pendingChanges, type Plan } from '../engine/plan.js';
import type { DesiredInstance } from '../model/desired.js';
import { assertNoDrift, desiredFrom, planFor, readSavedPlan } from './plan.js';
import { rotateForApply, type RotateHooks } from './rotate.js';
import { openSession, type Session, type SessionOptions } from './session.js';

export interface ApplyRequest {
  /** manifest files and folders, or one saved plan (.json) */
  inputs: string[];
  check: boolean;
  concurrency?: number;
  timeoutMs: number;
  session: SessionOptions;
}

export interface ApplyHooks {
  /** shown before the confirmation: the plan about to run */
  showPlan?: (plan: Plan) => void;
  /** the operator's go-ahead for the plan (names the irreversible changes) */
  confirm: (plan: Plan, pending: number, irreversible: string[]) => Promise<void>;
  /** the servers that will change, for progress lanes; runs the apply inside them */
  lanes: <T>(servers: string[], run: (onEvent: (e: ApplyEvent) => void) => Promise<T>) => Promise<T>;
  rotation: Pick<RotateHooks, 'prompt' | 'warn'>;
  stopped?: () => boolean;
}

export interface ApplyOutcome {
  check: boolean;
  changed: boolean;
  plan: Plan;
  result: ApplyResult | null;
  requests: number;
  failedReads: number;
}

/**
 * A crash point for the kill tests and for rehearsing a crash on the sandbox (never set in production):
 * XRDCTL_CRASH_AFTER_CHANGES=N kills the process (SIGKILL, no cleanup) once N changes are done, while
 * the others in flight are mid-request.
 */
function withCrashPoint(onEvent: (e: ApplyEvent) => void, env: NodeJS.ProcessEnv = process.env): (e: ApplyEvent) => void {
  const n = Number(env.XRDCTL_CRASH_AFTER_CHANGES);
  if (!Number.isInteger(n) || n < 1) return onEvent;
  let done = 0;
  return (e) => {
    onEvent(e);
    if (e.type === 'done' && ++done >= n) process.kill(process.pid, 'SIGKILL');
  };
}

/** Changes that cannot be undone: unregistering or deleting registered objects, pruning. */
export function irreversibleChanges(plan: Plan): string[] {
  return plan.servers.flatMap((s) =>
    s.changes.filter((c) => runnable(c) && (c.op === 'delete' || c.action?.type === 'rotate-cert')).map((c) => `${s.server}: ${c.summary}`),
  );
}

/**
 * validate → plan (or a saved plan, checked for drift) → confirm → apply on the engine, with the
 * rotation runbook for certificates that are due. Read failures never run anything.
 */
export async function runApply(req: ApplyRequest, hooks: ApplyHooks): Promise<ApplyOutcome> {
  const saved = req.inputs.length === 1 ? readSavedPlan(req.inputs[0]!) : undefined;
  const desired: DesiredInstance = saved?.desired ?? (await desiredFrom(req.inputs));
  let plan: Plan;
  let session: Session;
  if (saved) {
    session = await openSession(desired, req.session);
    try {
      await assertNoDrift(saved, session);
    } catch (e) {
      session.close();
      throw e;
    }
    plan = saved;
  } else ({ plan, session } = await planFor(desired, { ...req.session, concurrency: req.concurrency }));
  try {
    const failedReads = plan.servers.filter((s) => s.error).length;
    const pending = pendingChanges(plan);
    if (req.check || pending === 0 || failedReads)
      return { check: req.check, changed: req.check ? pending > 0 : false, plan, result: null, requests: session.requestCount(), failedReads };
    hooks.showPlan?.(plan);
    await hooks.confirm(plan, pending, irreversibleChanges(plan));
    const names = plan.servers.filter((s) => s.changes.some(runnable)).map((s) => s.server);
    const rotate = rotateForApply(
      desired,
      session,
      saved ? undefined : req.inputs,
      { propagationMs: null, timeoutMs: req.timeoutMs },
      {
        ...hooks.rotation,
        stopped: hooks.stopped,
        confirm: async () => {},
        consent: () => {},
      } /* confirmed with the plan: its irreversible changes are listed there */,
    );
    const result = await hooks.lanes(names, (onEvent) =>
      applyPlan(plan, desired, session, {
        concurrency: req.concurrency,
        timeoutMs: req.timeoutMs,
        prompt: req.session.prompt,
        warn: req.session.warn,
        onEvent: withCrashPoint(onEvent),
        stopped: hooks.stopped,
        rotate,
      }),
    );
    return { check: false, changed: result.changed, plan, result, requests: session.requestCount(), failedReads };
  } finally {
    session.close();
  }
}
