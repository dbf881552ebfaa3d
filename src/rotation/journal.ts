import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';
import { writeFileSafe } from '../fs/files.js';
import { ConflictError, UsageError } from '../errors/index.js';

/** Every step a rotation runbook can have (xroad-flows §5: S1–S6, A1–A11, §5.3). */
export type RotationStepName =
  | 'cut-old'
  | 'new-key'
  | 'ca'
  | 'import'
  | 'register'
  | 'approve'
  | 'wait-registered'
  | 'activate'
  | 'verify'
  | 'propagate'
  | 'disable-old'
  | 'unregister-old'
  | 'cs-delete-old'
  | 'revoke-old'
  | 'delete-old';

/** The steps of the configuration signing key runbooks (UG-CS §5.4: regular and emergency change). */
export type ConfigSigningStepName =
  'add-key' | 'wait-distributed' | 'activate-key' | 'verify-servers' | 'recreate-anchor' | 'push-anchor' | 'delete-old-key' | 'seal-anchor' | 'finish-servers';

export type RotationUsage = 'auth' | 'sign';
export type StepStatus = 'pending' | 'done' | 'skipped' | 'failed' | 'waiting';
export type RotationStatus = 'running' | 'waiting' | 'failed' | 'done' | 'aborted';

/** The issuer as the journal keeps it: references only, never a secret. */
export type JournalIssuer =
  | { type: 'server-acme' }
  | { type: 'command'; command: string; timeoutMs: number }
  | { type: 'manual'; csrFile: string; certFile: string }
  | {
      type: 'acme';
      directoryUrl: string;
      caBundleFile?: string;
      accountKeyFile: string;
      email?: string;
      eabKid?: string;
      eabHmacRef?: string;
      httpPort?: number;
      timeoutMs: number;
    };

export interface JournalStep {
  name: RotationStepName | ConfigSigningStepName;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  message?: string;
  /** what the step saw on the server when it finished (statuses, hashes: nothing secret) */
  observed?: Record<string, unknown>;
}

/** One rotation's record: every step with its inputs and outcome, and what to reconnect to on resume. */
export interface RotationJournal {
  format: 'xrdctl-rotation/1';
  /** absent in journals written before configuration signing keys were rotated: a certificate rotation */
  kind?: 'certificate';
  id: string;
  /** the server's name: its context, or its name in the manifest */
  server: string;
  /** how resume reconnects: a context, or a manifest (absolute paths) and the server's name in it */
  source: { context?: string; manifest?: string[]; csContext?: string };
  usage: RotationUsage;
  member?: string;
  mode: 'routine' | 'emergency';
  cutNow: boolean;
  ca: string;
  issuer: JournalIssuer;
  options: {
    tokenId: string;
    address?: string;
    subject?: Record<string, string>;
    /** how long peers get to fetch the global configuration listing the new certificate; null: two of its distribution intervals */
    propagationMs: number | null;
    /** delete the replaced key this long after it was unregistered/disabled; null keeps it */
    keepOldMs: number | null;
    timeoutMs: number;
    /** a command that revokes the old certificate at the CA (emergency): {cert} file, {serial}, {hash} */
    revokeCommand?: string;
  };
  old: { hash: string; keyId: string; notAfter: string } | null;
  new: { keyId?: string; csrId?: string; certificatePem?: string; hash?: string; renewedByServer?: boolean };
  status: RotationStatus;
  waitingOn?: string;
  steps: JournalStep[];
  createdAt: string;
  updatedAt: string;
  error?: string;
}

/** What a configuration signing key rotation knows of one security server of the manifest. */
export interface ConfigSigningServer {
  /**
   * pending: not checked yet; seen: it downloaded a configuration listing the new verification certificate;
   * verified: it verifies the configuration signed with the new key; unreachable: it did not answer;
   * refused: it answered, but refused the anchor
   */
  state: 'pending' | 'seen' | 'verified' | 'unreachable' | 'refused';
  /** its globalconf download time (its own clock) before the step that waits for a newer one */
  baseline?: string;
  anchorUploadedAt?: string;
  /** the hash of the anchor last imported on it (the one without the compromised key, once sealed) */
  anchorHash?: string;
  verifiedAt?: string;
  /** emergency: from the activation of the new key until this server verified again (an upper bound of its outage) */
  unverifiedMs?: number;
  message?: string;
}

/** The record of a configuration signing key change at the central server (kind config-signing). */
export interface ConfigSigningJournal {
  format: 'xrdctl-rotation/1';
  kind: 'config-signing';
  id: string;
  /** the central server's name in the manifest */
  server: string;
  source: { manifest: string[] };
  configSource: 'INTERNAL' | 'EXTERNAL';
  mode: 'routine' | 'emergency';
  options: {
    tokenId: string;
    /** delete the old key this long after every server verifies with the new one; null keeps it */
    keepOldMs: number | null;
    timeoutMs: number;
    pollMs: number;
    /** anchor uploads running at once */
    concurrency: number;
  };
  old: { keyId: string; keyHash: string | null; createdAt: string } | null;
  new: { label: string; keyId?: string; keyHash?: string; createdAt?: string; activatedAt?: string };
  /** emergency: the re-created anchor, saved 0600 for servers that have to import it by hand; sealed: re-created
   * again after the compromised key was deleted, so it no longer lists that key */
  anchor?: { file: string; hash: string; sealed?: boolean };
  servers: Record<string, ConfigSigningServer>;
  status: RotationStatus;
  waitingOn?: string;
  steps: JournalStep[];
  createdAt: string;
  updatedAt: string;
  error?: string;
}

export type AnyJournal = RotationJournal | ConfigSigningJournal;

export function isConfigSigning(j: AnyJournal): j is ConfigSigningJournal {
  return j.kind === 'config-signing';
}

export function isCertificate(j: AnyJournal): j is RotationJournal {
  return j.kind === undefined || j.kind === 'certificate';
}

export function rotationsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'rotations');
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function journalPath(id: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!ID.test(id)) throw new UsageError(`'${id}' is not a rotation id`, { hint: 'xrdctl rotate status lists them' });
  return join(rotationsDir(env), `${id}.json`);
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new UsageError(`${dir} is not a folder`);
}

export function saveJournal(j: AnyJournal, env: NodeJS.ProcessEnv = process.env): void {
  j.updatedAt = new Date().toISOString();
  const path = journalPath(j.id, env);
  ensureDir(rotationsDir(env));
  // 0600, atomic (a crash leaves the old journal or the new one, never half), never through a link
  writeFileSafe(path, JSON.stringify(j, null, 2) + '\n', { overwrite: true, what: 'rotation journal' });
}

const MAX_JOURNAL = 4 * 1024 * 1024;

export function loadJournal(id: string, env: NodeJS.ProcessEnv = process.env): AnyJournal {
  const p = journalPath(id, env);
  if (!existsSync(p)) throw new UsageError(`no rotation ${id}`, { hint: 'xrdctl rotate status lists them' });
  const st = lstatSync(p);
  if (!st.isFile() || st.size > MAX_JOURNAL) throw new UsageError(`${p} is not a rotation journal (not a regular file, or larger than ${MAX_JOURNAL} bytes)`);
  let j: AnyJournal;
  try {
    j = JSON.parse(readFileSync(p, 'utf8')) as AnyJournal;
  } catch (e) {
    throw new UsageError(`${p}: not a rotation journal: ${(e as Error).message}`);
  }
  if (j?.format !== 'xrdctl-rotation/1' || j.id !== id || !Array.isArray(j.steps))
    throw new UsageError(`${p}: not a rotation journal (format xrdctl-rotation/1)`);
  if (j.kind !== undefined && j.kind !== 'certificate' && j.kind !== 'config-signing')
    throw new UsageError(`${p}: a rotation of kind '${String(j.kind)}' this xrdctl does not know`, { hint: 'a newer xrdctl wrote it' });
  return j;
}

export function listJournals(env: NodeJS.ProcessEnv = process.env): AnyJournal[] {
  const dir = rotationsDir(env);
  if (!existsSync(dir)) return [];
  const out: AnyJournal[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(loadJournal(f.slice(0, -5), env));
    } catch {
      // a foreign or broken file is not ours to list
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * One rotation of a server at a time, across processes: a lock file made with O_EXCL that holds the
 * owner's pid and host. A lock whose process is gone (crash, SIGKILL, reboot) is taken over; a
 * live one refuses with the rotation that holds it.
 */
export function acquireLock(server: string, rotationId: string, env: NodeJS.ProcessEnv = process.env): () => void {
  const dir = join(rotationsDir(env), 'locks');
  ensureDir(dir);
  const p = join(dir, `${encodeURIComponent(server)}.lock`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(p, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), rotation: rotationId, at: new Date().toISOString() }));
      closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(readFileSync(p, 'utf8')) as { pid: number };
          if (held.pid === process.pid) rmSync(p, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let held: { pid?: number; host?: string; rotation?: string } = {};
      try {
        held = JSON.parse(readFileSync(p, 'utf8'));
      } catch {
        // unreadable: a crash mid-write; treat as stale
      }
      if (held.pid && held.host === hostname() && held.pid !== process.pid && alive(held.pid)) {
        throw new ConflictError(`rotation ${held.rotation ?? '?'} of ${server} is running (pid ${held.pid})`, {
          server,
          step: 'lock',
          hint: 'wait for it, or xrdctl rotate status',
        });
      }
      if (held.pid && held.host && held.host !== hostname()) {
        throw new ConflictError(`rotation ${held.rotation ?? '?'} of ${server} holds the lock from host ${held.host}`, {
          server,
          step: 'lock',
          hint: `remove ${p} if that host is gone`,
        });
      }
      rmSync(p, { force: true });
    }
  }
  throw new ConflictError(`could not take the rotation lock of ${server}`, { server, step: 'lock' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
