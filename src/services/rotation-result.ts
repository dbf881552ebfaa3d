import { ConflictError, XrdError } from '../errors/index.js';
import type { AnyJournal, ConfigSigningStepName, RotationStepName } from '../rotation/journal.js';
import type { RotationEvent } from '../rotation/run.js';

/** What every rotation service (certificates, configuration signing keys) takes from its command and gives back. */
export interface RotateHooks {
  onEvent?: (e: RotationEvent) => void;
  /** the operator's go-ahead for an irreversible step of one rotation */
  confirm: (j: AnyJournal, step: RotationStepName | ConfigSigningStepName, what: string) => Promise<void>;
  /** throws (naming the flag) when the irreversible steps of a rotation could not be confirmed when reached */
  consent: (j: AnyJournal, steps: (RotationStepName | ConfigSigningStepName)[]) => void;
  prompt?: (m: string) => Promise<string>;
  warn?: (m: string) => void;
  stopped?: () => boolean;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RotateResult {
  status: 'done' | 'waiting' | 'failed' | 'aborted';
  rotations: AnyJournal[];
  /** the first failure (its exit code is the command's) */
  error?: XrdError;
}

export function summarize(results: { journal: AnyJournal; error?: unknown }[]): RotateResult {
  const rotations = results.map((r) => r.journal);
  const err = results.find((r) => r.error)?.error;
  const status = rotations.some((j) => j.status === 'failed') ? 'failed' : rotations.some((j) => j.status === 'waiting') ? 'waiting' : 'done';
  return { status, rotations, error: err instanceof XrdError ? err : err ? new ConflictError(String(err)) : undefined };
}
