import { resolve } from 'node:path';
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { ApiError, AuthError, ConflictError, UsageError } from '../errors/index.js';
import type { DesiredInstance } from '../model/desired.js';
import { configSigningRunbook, configSigningStep, reconcileConfigSigning, sourceKeys, type ConfigSigningContext } from '../rotation/config-signing.js';
import { acquireLock, listJournals, saveJournal, isConfigSigning, type ConfigSigningJournal } from '../rotation/journal.js';
import { runRunbooks, type RunbookItem } from '../rotation/run.js';
import { desiredFrom } from './plan.js';
import { summarize, type RotateHooks, type RotateResult } from './rotation-result.js';
import { openSession } from './session.js';

export interface ConfigSigningRequest {
  manifest: string[];
  source: 'INTERNAL' | 'EXTERNAL';
  emergency: boolean;
  /** delete the old key this long after every server verifies with the new one; null keeps it */
  keepOldMs: number | null;
  timeoutMs: number;
  pollMs: number;
  /** anchor uploads running at once (each server also keeps its own rate limit) */
  concurrency: number;
}

/** Roles that may add, activate and delete configuration signing keys and re-create anchors (xroad-flows §8.4). */
const KEY_ROLES = ['XROAD_SECURITY_OFFICER', 'XROAD_SYSTEM_ADMINISTRATOR'];

interface Connected {
  desired: DesiredInstance;
  cs: CentralServerApi;
  servers: Map<string, SecurityServerApi>;
  close: () => void;
}

async function connect(files: string[], hooks: RotateHooks): Promise<Connected> {
  const desired = await desiredFrom(files);
  if (!desired.central)
    throw new UsageError(`${files.join(', ')}: no centralServer: the configuration signing keys are the central server’s`, {
      hint: 'add centralServer (url, apiKey, tlsFingerprint) to the manifest',
    });
  // one retry per request: the runbook's own polling retries, and an unreachable server is told apart in a second, not
  // after four backed-off attempts per read (500 servers of which some are down is the night this is for)
  const session = await openSession(desired, { prompt: hooks.prompt, warn: hooks.warn, retries: 1 });
  return { desired, cs: session.central!, servers: session.security, close: () => session.close() };
}

/** Checks before anything is written: the key's roles and the token, so a refusal changes nothing. */
async function preflight(cs: CentralServerApi, tokenId: string): Promise<void> {
  let roles: string[] | undefined;
  try {
    roles = (await cs.getUser()).roles;
  } catch (e) {
    // an older server without GET /user: the first write tells
    if (!(e instanceof ApiError) || e instanceof AuthError) throw e;
  }
  if (roles && !roles.some((r) => KEY_ROLES.includes(r))) {
    throw new AuthError(`the API key of ${cs.server} has the roles ${roles.join(', ') || 'none'}: configuration signing keys need ${KEY_ROLES.join(' or ')}`, {
      server: cs.server,
      step: 'preflight',
      status: 403,
      hint: 'use a central server API key with the Security Officer role',
    });
  }
  const token = (await cs.getTokens()).find((t) => t.id === tokenId);
  if (!token)
    throw new UsageError(`the central server ${cs.server} has no token ${tokenId}`, {
      server: cs.server,
      step: 'preflight',
      hint: 'xrdctl cs key list lists its tokens; set centralServer.configurationSigning.internal.token',
    });
  if (!token.logged_in) {
    throw new ConflictError(
      `token ${tokenId} of the central server ${cs.server} is logged out: adding, activating and deleting signing keys needs it logged in`,
      {
        server: cs.server,
        step: 'preflight',
        hint: 'log in to the token on the central server (UI, or PUT /tokens/{id}/login), then run again',
      },
    );
  }
}

function context(c: Connected, hooks: RotateHooks, j: ConfigSigningJournal): ConfigSigningContext {
  return {
    cs: c.cs,
    servers: c.servers,
    progress: () => {},
    confirm: (s, what) => hooks.confirm(j, s, what),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    env: hooks.env ?? process.env,
  };
}

function item(j: ConfigSigningJournal, ctx: ConfigSigningContext): RunbookItem {
  return {
    journal: j,
    names: configSigningRunbook(j),
    kind: 'config-signing',
    key: j.configSource,
    label: `${j.mode} ${j.configSource.toLowerCase()} signing key`,
    run: (name, progress) => configSigningStep(name as Parameters<typeof configSigningStep>[0]).run({ ...ctx, progress }, j),
    reconcile: () => reconcileConfigSigning(j, ctx.cs),
  };
}

function consent(j: ConfigSigningJournal, hooks: RotateHooks): void {
  const names = configSigningRunbook(j).filter((n) => configSigningStep(n).irreversible && j.steps.find((s) => s.name === n)?.status !== 'done');
  if (names.length) hooks.consent(j, names);
}

function journalId(cs: string, source: string, emergency: boolean): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${cs}-config-signing-${source.toLowerCase()}${emergency ? '-emergency' : ''}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

/** Start a configuration signing key change of the manifest's central server, over every security server of it. */
export async function startConfigSigning(req: ConfigSigningRequest, hooks: RotateHooks): Promise<RotateResult> {
  const env = hooks.env ?? process.env;
  const c = await connect(req.manifest, hooks);
  try {
    const name = c.desired.central!.name;
    const busy = listJournals(env)
      .filter(isConfigSigning)
      .find((j) => j.server === name && j.configSource === req.source && j.status !== 'done' && j.status !== 'aborted');
    if (busy)
      throw new ConflictError(
        `${name} has an unfinished ${req.source.toLowerCase()} signing key change ${busy.id} (${busy.status}${busy.waitingOn ? `, waiting on ${busy.waitingOn}` : ''})`,
        { server: name, step: 'start', hint: `xrdctl rotate resume ${busy.id}, or xrdctl rotate abort ${busy.id}` },
      );
    const tokenId = c.desired.central!.configurationSigning?.[req.source]?.token ?? '0';
    await preflight(c.cs, tokenId);
    const active = (await sourceKeys(c.cs, req.source)).find((k) => k.active);
    if (!active)
      throw new UsageError(`the ${req.source.toLowerCase()} source of ${name} has no active signing key to replace`, {
        server: name,
        step: 'start',
        hint: 'xrdctl cs key list',
      });
    const id = journalId(name, req.source, req.emergency);
    const j: ConfigSigningJournal = {
      format: 'xrdctl-rotation/1',
      kind: 'config-signing',
      id,
      server: name,
      source: { manifest: req.manifest.map((f) => resolve(f)) },
      configSource: req.source,
      mode: req.emergency ? 'emergency' : 'routine',
      options: { tokenId, keepOldMs: req.keepOldMs, timeoutMs: req.timeoutMs, pollMs: req.pollMs, concurrency: req.concurrency },
      old: { keyId: active.id, keyHash: active.key_hash ?? null, createdAt: active.created_at },
      new: { label: `xrdctl ${id}`.slice(0, 255) },
      servers: Object.fromEntries(c.desired.servers.map((s) => [s.name, { state: 'pending' as const }])),
      status: 'running',
      steps: [],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    consent(j, hooks);
    saveJournal(j, env);
    return summarize(await runRunbooks([item(j, context(c, hooks, j))], { onEvent: hooks.onEvent, stopped: hooks.stopped, env }));
  } finally {
    c.close();
  }
}

export async function resumeConfigSigning(j: ConfigSigningJournal, hooks: RotateHooks): Promise<RotateResult> {
  const c = await connect(j.source.manifest, hooks);
  try {
    consent(j, hooks);
    return summarize(await runRunbooks([item(j, context(c, hooks, j))], { onEvent: hooks.onEvent, stopped: hooks.stopped, env: hooks.env }));
  } finally {
    c.close();
  }
}

/** Abort: before the new key signs, it is deleted again; once it signs, nothing is rolled back (it is the working key). */
export async function abortConfigSigning(j: ConfigSigningJournal, hooks: RotateHooks): Promise<RotateResult & { undone: string[]; kept: string[] }> {
  const env = hooks.env ?? process.env;
  const undone: string[] = [];
  const kept: string[] = [];
  const release = acquireLock(j.server, j.id, env);
  const c = await connect(j.source.manifest, hooks).catch((e) => {
    release();
    throw e;
  });
  try {
    const k = j.new.keyId ? (await sourceKeys(c.cs, j.configSource)).find((x) => x.id === j.new.keyId) : undefined;
    if (k?.active)
      kept.push(
        `the new key ${k.id} signs already: it stays (the old one ${j.old?.keyId ?? '?'} is ${j.steps.some((s) => s.name === 'delete-old-key' && s.status === 'done') ? 'deleted' : 'kept'})`,
      );
    else if (k) {
      await hooks.confirm(j, 'delete-old-key', `delete the new signing key ${k.id} of ${j.server} (abort)`);
      await c.cs.deleteSigningKey(k.id);
      undone.push(`new key ${k.id} deleted`);
    } else undone.push('no new key on the central server');
    if (j.anchor) kept.push(`the re-created anchor stays in ${j.anchor.file}`);
    j.status = 'aborted';
    saveJournal(j, env);
    return { status: 'aborted', rotations: [j], undone, kept };
  } finally {
    release();
    c.close();
  }
}
