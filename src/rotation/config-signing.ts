import { join } from 'node:path';
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { ConfigurationSigningKey } from '../api/types/cs.js';
import { ApiError, ConflictError, NetworkError, SafetyError, XrdError } from '../errors/index.js';
import { writeFileSafe } from '../fs/files.js';
import { rotationsDir, type ConfigSigningJournal, type ConfigSigningServer, type ConfigSigningStepName } from './journal.js';
import { pollUntil } from '../time/poll.js';
import type { StepResult } from './steps.js';
import { pool } from '../engine/pool.js';

/**
 * The configuration signing key runbooks of UG-CS §5.4 (issue 16). Regular: a new key on the CS token, every
 * security server of the manifest downloads a configuration listing its verification certificate, then it signs,
 * every server is seen verifying that, and the old key goes after the grace period. Emergency: the new key signs at
 * once, the re-created anchor is pushed to every server (bounded concurrency, each checked by its diagnostics), the
 * compromised key goes, and the servers that did not answer are reported with the anchor file and the resume
 * command. The invariant, checked before the old key is deleted: no reachable server of the manifest still trusts
 * only the old key.
 */
export interface ConfigSigningContext {
  cs: CentralServerApi;
  servers: Map<string, SecurityServerApi>;
  progress: (m: string) => void;
  confirm: (step: ConfigSigningStepName, what: string) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  env: NodeJS.ProcessEnv;
}

export interface ConfigSigningStep {
  name: ConfigSigningStepName;
  irreversible?: boolean;
  run(ctx: ConfigSigningContext, j: ConfigSigningJournal): Promise<StepResult>;
}

const done = (message: string, observed?: Record<string, unknown>): StepResult => ({ status: 'done', message, observed });
const skipped = (message: string): StepResult => ({ status: 'skipped', message });
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export function configSigningRunbook(j: Pick<ConfigSigningJournal, 'mode'>): ConfigSigningStepName[] {
  return j.mode === 'routine'
    ? ['add-key', 'wait-distributed', 'activate-key', 'verify-servers', 'delete-old-key']
    : ['add-key', 'activate-key', 'recreate-anchor', 'push-anchor', 'delete-old-key', 'seal-anchor', 'finish-servers'];
}

/** Where an emergency change keeps the re-created anchor (0600, beside the journal). */
export function anchorFile(id: string, env: NodeJS.ProcessEnv): string {
  return join(rotationsDir(env), `${id}.anchor.xml`);
}

/** The signing keys of one source, on whichever token holds them. */
export async function sourceKeys(
  cs: CentralServerApi,
  source: 'INTERNAL' | 'EXTERNAL',
): Promise<(ConfigurationSigningKey & { token: string; tokenLoggedIn: boolean })[]> {
  const tokens = await cs.getTokens();
  return tokens.flatMap((t) =>
    (t.configuration_signing_keys ?? []).filter((k) => k.source_type === source).map((k) => ({ ...k, token: t.id, tokenLoggedIn: t.logged_in })),
  );
}

/** Re-read until `test` holds: bounded by the rotation's timeout, polling every pollMs. */
function poll<T>(ctx: ConfigSigningContext, j: ConfigSigningJournal, probe: () => Promise<T>, test: (v: T) => boolean): Promise<{ ok: boolean; last: T }> {
  const every = { firstMs: j.options.pollMs, maxMs: j.options.pollMs, factor: 1 };
  return pollUntil(probe, test, { deadline: Date.now() + j.options.timeoutMs, backoff: every, sleep: ctx.sleep });
}

type Probe = { reachable: false; why: string } | { reachable: true; ok: boolean; at: number; code?: string };

/** A server's global configuration as its diagnostics report it; a server that does not answer is unreachable. */
async function probe(api: SecurityServerApi): Promise<Probe> {
  try {
    const d = await api.getGlobalConfDiagnostics();
    return { reachable: true, ok: d.status_class === 'OK', at: Date.parse(d.prev_update_at ?? ''), code: d.error?.code };
  } catch (e) {
    if (e instanceof NetworkError) return { reachable: false, why: e.message };
    throw e;
  }
}

function api(ctx: ConfigSigningContext, j: ConfigSigningJournal, name: string): SecurityServerApi {
  const a = ctx.servers.get(name);
  if (!a)
    throw new ConflictError(`${name} is in the rotation but no longer in the manifest`, {
      server: name,
      step: 'connect',
      hint: `put it back in ${j.source.manifest.join(', ')}, or xrdctl rotate abort ${j.id}`,
    });
  return a;
}

/** Wait for each named server to download (and verify) a configuration newer than its baseline (its own clock). */
async function waitNewer(
  ctx: ConfigSigningContext,
  j: ConfigSigningJournal,
  names: string[],
  reached: ConfigSigningServer['state'],
  after: (name: string) => number,
): Promise<void> {
  const open = new Set(names);
  await poll(
    ctx,
    j,
    async () => {
      await Promise.all(
        [...open].map(async (n) => {
          const p = await probe(api(ctx, j, n));
          const s = j.servers[n]!;
          if (!p.reachable) {
            s.message = `unreachable: ${p.why}`;
            return;
          }
          if (p.ok && p.at > after(n)) {
            s.state = reached;
            s.verifiedAt = new Date().toISOString();
            s.message = undefined;
            open.delete(n);
          } else s.message = p.ok ? 'no newer download yet' : `globalconf FAIL${p.code ? ` (${p.code})` : ''}`;
        }),
      );
      return open.size;
    },
    (left) => left === 0,
  );
}

/** The configuration the CS generated after `since` (its configuration parts' update time): the first one that lists a change. */
async function generationAfter(ctx: ConfigSigningContext, j: ConfigSigningJournal, since: number): Promise<number | undefined> {
  const r = await poll(
    ctx,
    j,
    async () => Math.max(0, ...(await ctx.cs.getConfigurationParts('INTERNAL')).map((p) => Date.parse(p.file_updated_at) || 0)),
    (t) => t > since,
  );
  return r.ok ? r.last : undefined;
}

function notReached(j: ConfigSigningJournal, want: ConfigSigningServer['state']): string[] {
  return Object.entries(j.servers)
    .filter(([, s]) => s.state !== want && !(want === 'seen' && s.state === 'verified'))
    .map(([n, s]) => `${n}${s.message ? ` (${s.message})` : ''}`);
}

/**
 * Push the re-created anchor to one server and wait until its diagnostics show a configuration verified after it;
 * a server that does not answer is marked unreachable, one that refuses is marked refused (with its error).
 */
async function pushOne(ctx: ConfigSigningContext, j: ConfigSigningJournal, name: string, xml: Buffer): Promise<void> {
  const s = j.servers[name]!;
  const a = api(ctx, j, name);
  try {
    const before = await probe(a);
    if (!before.reachable) {
      s.state = 'unreachable';
      s.message = `unreachable: ${before.why}`;
      return;
    }
    s.baseline = new Date(before.at).toISOString();
    await a.replaceAnchor(xml);
    s.anchorUploadedAt = new Date().toISOString();
    s.state = 'pending';
    await waitNewer(ctx, j, [name], 'verified', () => before.at);
    const reached = (j.servers[name] as ConfigSigningServer).state;
    if (reached !== 'verified' && s.message?.startsWith('unreachable')) {
      s.state = 'unreachable';
      return;
    }
    if (reached !== 'verified') {
      s.state = 'refused';
      s.message = `imported the anchor but does not verify global configuration within ${secs(j.options.timeoutMs)}: ${s.message ?? ''}`;
      return;
    }
    s.anchorHash = j.anchor!.hash;
    // the interval that counts is the first one: a second import (the sealed anchor) finds the server verifying
    if (s.unverifiedMs === undefined) {
      s.unverifiedMs = Date.parse(s.verifiedAt!) - Date.parse(j.new.activatedAt ?? s.anchorUploadedAt);
      ctx.progress(`${name}: verifies with the new key; unable to verify for at most ${secs(s.unverifiedMs)} (activation → verified)`);
    } else ctx.progress(`${name}: imported the anchor ${j.anchor!.hash.slice(0, 11)}…, verifies`);
  } catch (e) {
    if (e instanceof NetworkError) {
      s.state = 'unreachable';
      s.message = `unreachable: ${e.message}`;
    } else if (e instanceof ApiError) {
      s.state = 'refused';
      s.message = `refused the anchor: ${e.oneLine()}`;
    } else throw e;
  }
}

async function pushAll(ctx: ConfigSigningContext, j: ConfigSigningJournal, names: string[]): Promise<void> {
  if (!j.anchor)
    throw new ConflictError('no re-created anchor to push', { server: j.server, step: 'push-anchor', hint: `xrdctl rotate abort ${j.id}, then start again` });
  const { readFileSync } = await import('node:fs');
  const xml = readFileSync(j.anchor.file);
  await pool(names, j.options.concurrency, (n) => pushOne(ctx, j, n, xml));
}

/** Re-create the source's anchor from its current keys and keep it (0600) where the journal says. */
async function recreate(ctx: ConfigSigningContext, j: ConfigSigningJournal, sealed = false): Promise<{ file: string; hash: string }> {
  const a = await ctx.cs.reCreateAnchor(j.configSource);
  const xml = await ctx.cs.downloadAnchor(j.configSource);
  const file = anchorFile(j.id, ctx.env);
  writeFileSafe(file, xml, { overwrite: true, what: 'configuration anchor' });
  j.anchor = { file, hash: a.hash, sealed };
  return j.anchor;
}

/** Servers that still have to import the current anchor: not verifying yet, or holding an earlier one. */
function owing(j: ConfigSigningJournal): string[] {
  return Object.keys(j.servers).filter((n) => j.servers[n]!.state !== 'verified' || (j.anchor && j.servers[n]!.anchorHash !== j.anchor.hash));
}

function refusedError(j: ConfigSigningJournal, step: ConfigSigningStepName): XrdError | undefined {
  const refused = Object.entries(j.servers).filter(([, s]) => s.state === 'refused');
  if (!refused.length) return undefined;
  return new ConflictError(`${refused.map(([n, s]) => `${n}: ${s.message}`).join('; ')}; the old key is kept`, {
    server: refused[0]![0],
    step,
    hint: `fix ${refused.map(([n]) => n).join(', ')} (or import ${j.anchor?.file} there by hand), then xrdctl rotate resume ${j.id}`,
  });
}

function intervals(j: ConfigSigningJournal): string {
  return Object.entries(j.servers)
    .filter(([, s]) => s.unverifiedMs !== undefined)
    .map(([n, s]) => `${n} ${secs(s.unverifiedMs!)}`)
    .join(', ');
}

const EXTERNAL_NOTE =
  'the security servers of this instance verify the internal source; federated instances fetch the external one (give them the grace period before the old key goes)';

const STEPS: Record<ConfigSigningStepName, ConfigSigningStep> = {
  'add-key': {
    name: 'add-key',
    async run(ctx, j) {
      const keys = await sourceKeys(ctx.cs, j.configSource);
      if (j.new.keyId) {
        const k = keys.find((x) => x.id === j.new.keyId);
        if (k) return done(`key ${k.id} made before is there`, { keyId: k.id });
        j.new = { label: j.new.label };
      }
      // a run killed between the POST and the journal write left the key under our label: take it
      const k = keys.find((x) => x.label?.label === j.new.label) ?? (await ctx.cs.addSigningKey(j.configSource, j.options.tokenId, j.new.label));
      j.new = { label: j.new.label, keyId: k.id, keyHash: k.key_hash, createdAt: k.created_at };
      return done(`key ${k.id} (${j.new.label}) on token ${j.options.tokenId}`, { keyId: k.id, keyHash: k.key_hash });
    },
  },
  'wait-distributed': {
    name: 'wait-distributed',
    async run(ctx, j) {
      if (j.configSource === 'EXTERNAL') return skipped(EXTERNAL_NOTE);
      const created = Date.parse(j.new.createdAt ?? '');
      const gen = await generationAfter(ctx, j, Number.isFinite(created) ? created : Date.now() - 1);
      if (gen === undefined)
        return {
          status: 'waiting',
          on: 'the central server',
          message: `no configuration generated since key ${j.new.keyId} was added; xrdctl rotate resume ${j.id} keeps waiting`,
        };
      ctx.progress(`generated ${new Date(gen).toISOString()}: waiting for every server to download it`);
      const names = Object.keys(j.servers).filter((n) => j.servers[n]!.state !== 'seen' && j.servers[n]!.state !== 'verified');
      await waitNewer(ctx, j, names, 'seen', () => gen);
      const left = notReached(j, 'seen');
      if (left.length)
        return {
          status: 'waiting',
          on: 'global configuration distribution',
          message: `not yet seen the new verification certificate: ${left.join(', ')}; the old key still signs. xrdctl rotate resume ${j.id}`,
        };
      return done(`every server (${Object.keys(j.servers).length}) downloaded a configuration listing the new verification certificate`, {
        generatedAt: new Date(gen).toISOString(),
      });
    },
  },
  'activate-key': {
    name: 'activate-key',
    irreversible: true,
    async run(ctx, j) {
      const k = (await sourceKeys(ctx.cs, j.configSource)).find((x) => x.id === j.new.keyId);
      if (!k)
        throw new ConflictError(`the new key ${j.new.keyId} is gone from the central server`, {
          server: j.server,
          step: 'activate-key',
          hint: `xrdctl rotate abort ${j.id}, then start again`,
        });
      if (k.active) return done(`key ${k.id} signs already`);
      if (j.mode === 'routine' && j.configSource === 'INTERNAL') {
        const left = notReached(j, 'seen');
        if (left.length)
          throw new SafetyError(`refused: ${left.join(', ')} would not verify the configuration signed with the new key`, {
            server: j.server,
            step: 'activate-key',
            hint: `xrdctl rotate resume ${j.id}`,
          });
      } else if (j.mode === 'emergency') {
        await ctx.confirm(
          'activate-key',
          `sign with the new key ${k.id} now: every security server stops verifying global configuration until it imports the re-created anchor`,
        );
      }
      // taken before the request: the servers' outage starts after it, so intervals measured from it are upper bounds
      j.new.activatedAt = new Date().toISOString();
      await ctx.cs.activateSigningKey(k.id);
      // what each server had verified last (its own clock): the next verification must be newer
      if (j.mode === 'routine' && j.configSource === 'INTERNAL') {
        await Promise.all(
          Object.keys(j.servers).map(async (n) => {
            const p = await probe(api(ctx, j, n));
            j.servers[n]!.baseline = new Date(p.reachable ? p.at : Date.now()).toISOString();
          }),
        );
      }
      return done(`key ${k.id} signs the ${j.configSource.toLowerCase()} configuration`, { activatedAt: j.new.activatedAt });
    },
  },
  'verify-servers': {
    name: 'verify-servers',
    async run(ctx, j) {
      if (j.configSource === 'EXTERNAL') return skipped(EXTERNAL_NOTE);
      const names = Object.keys(j.servers).filter((n) => j.servers[n]!.state !== 'verified');
      await waitNewer(ctx, j, names, 'verified', (n) => Date.parse(j.servers[n]!.baseline ?? '') || 0);
      const failing = Object.entries(j.servers).filter(([, s]) => s.state !== 'verified' && s.message?.startsWith('globalconf FAIL'));
      if (failing.length) {
        throw new ConflictError(`${failing.map(([n, s]) => `${n}: ${s.message}`).join('; ')} after the new key was activated; the old key is kept`, {
          server: failing[0]![0],
          step: 'verify-servers',
          hint: `push the re-created anchor: xrdctl rotate config-signing -f ${j.source.manifest.join(' -f ')} --emergency; or xrdctl rotate resume ${j.id} checks again`,
        });
      }
      const left = notReached(j, 'verified');
      if (left.length)
        return {
          status: 'waiting',
          on: 'global configuration distribution',
          message: `not yet seen verifying the new key: ${left.join(', ')}; xrdctl rotate resume ${j.id}`,
        };
      return done(`every server (${names.length ? Object.keys(j.servers).length : 0} checked) verifies the configuration signed with the new key`);
    },
  },
  'recreate-anchor': {
    name: 'recreate-anchor',
    async run(ctx, j) {
      if (j.anchor) {
        const { existsSync } = await import('node:fs');
        if (existsSync(j.anchor.file)) return done(`anchor ${j.anchor.hash} re-created before (${j.anchor.file})`);
      }
      const a = await recreate(ctx, j);
      return done(`anchor ${a.hash} re-created with the new key, saved to ${a.file}`, { hash: a.hash, file: a.file });
    },
  },
  'push-anchor': {
    name: 'push-anchor',
    async run(ctx, j) {
      if (j.configSource === 'EXTERNAL') return skipped(`${EXTERNAL_NOTE}: give them ${j.anchor?.file}`);
      await pushAll(
        ctx,
        j,
        Object.keys(j.servers).filter((n) => j.servers[n]!.state !== 'verified'),
      );
      const err = refusedError(j, 'push-anchor');
      if (err) throw err;
      const unreachable = Object.keys(j.servers).filter((n) => j.servers[n]!.state === 'unreachable');
      return done(
        `the anchor is imported and verified on ${Object.keys(j.servers).length - unreachable.length} servers (unable to verify at most: ${intervals(j) || '-'})${unreachable.length ? `; unreachable: ${unreachable.join(', ')}` : ''}`,
        { unverifiedMs: Object.fromEntries(Object.entries(j.servers).map(([n, s]) => [n, s.unverifiedMs ?? null])) },
      );
    },
  },
  'delete-old-key': {
    name: 'delete-old-key',
    irreversible: true,
    async run(ctx, j) {
      if (!j.old) return skipped('no old key');
      if (j.options.keepOldMs === null) return skipped(`old key ${j.old.keyId} kept (--keep-old forever)`);
      const keys = await sourceKeys(ctx.cs, j.configSource);
      const old = keys.find((k) => k.id === j.old!.keyId);
      if (!old) return done(`old key ${j.old.keyId} is gone already`);
      if (old.active)
        throw new ConflictError(`the old key ${old.id} still signs: the new one is not active`, {
          server: j.server,
          step: 'delete-old-key',
          hint: `xrdctl rotate resume ${j.id}`,
        });
      const from = j.steps.find((s) => s.name === (j.mode === 'routine' ? 'verify-servers' : 'push-anchor'))?.endedAt;
      const at = (from ? Date.parse(from) : Date.now()) + j.options.keepOldMs;
      if (Date.now() < at)
        return {
          status: 'waiting',
          on: 'the grace period',
          message: `old key ${old.id} is deleted after ${new Date(at).toISOString()}: xrdctl rotate resume ${j.id}`,
        };
      if (j.configSource === 'INTERNAL') {
        // a server unreachable at the push that answers now gets the anchor first
        const down = new Set<string>();
        if (j.mode === 'emergency') {
          const back: string[] = [];
          await Promise.all(
            Object.keys(j.servers)
              .filter((n) => j.servers[n]!.state === 'unreachable')
              .map(async (n) => ((await probe(api(ctx, j, n))).reachable ? back.push(n) : down.add(n))),
          );
          if (back.length) await pushAll(ctx, j, back);
        }
        // the invariant: no reachable server of the manifest trusts only the old key
        const problems: string[] = [];
        await Promise.all(
          Object.entries(j.servers)
            .filter(([n]) => !down.has(n))
            .map(async ([n, s]) => {
              const p = await probe(api(ctx, j, n));
              if (!p.reachable) return;
              if (s.state !== 'verified') problems.push(`${n} is reachable but not seen verifying with the new key (${s.message ?? s.state})`);
              else if (!p.ok) problems.push(`${n} reports globalconf FAIL${p.code ? ` (${p.code})` : ''}`);
            }),
        );
        if (problems.length)
          throw new SafetyError(`refused to delete the old key ${old.id}: ${problems.sort().join('; ')}`, {
            server: j.server,
            step: 'delete-old-key',
            hint: `xrdctl rotate resume ${j.id} once they verify`,
          });
      }
      await ctx.confirm('delete-old-key', `delete the old configuration signing key ${old.id} of the central server (cannot be undone)`);
      await ctx.cs.deleteSigningKey(old.id);
      return done(`old key ${old.id} deleted`);
    },
  },
  'seal-anchor': {
    name: 'seal-anchor',
    async run(ctx, j) {
      if (j.configSource === 'EXTERNAL') return skipped(EXTERNAL_NOTE);
      if (j.anchor?.sealed) return done(`anchor ${j.anchor.hash} without the old key made before`);
      const keys = await sourceKeys(ctx.cs, j.configSource);
      if (j.old && keys.some((k) => k.id === j.old!.keyId)) return skipped(`the old key ${j.old.keyId} is kept: the anchor keeps listing it`);
      // the anchor the servers imported still lists the compromised key's certificate: re-create it without, import it
      const a = await recreate(ctx, j, true);
      const reachable = Object.keys(j.servers).filter((n) => j.servers[n]!.state === 'verified');
      await pushAll(ctx, j, reachable);
      const err = refusedError(j, 'seal-anchor');
      if (err) throw err;
      return done(`anchor ${a.hash} without the old key imported on ${reachable.filter((n) => j.servers[n]!.anchorHash === a.hash).length} servers`, {
        hash: a.hash,
      });
    },
  },
  'finish-servers': {
    name: 'finish-servers',
    async run(ctx, j) {
      const left = owing(j);
      if (j.configSource === 'EXTERNAL' || !left.length)
        return done(
          j.configSource === 'EXTERNAL' ? EXTERNAL_NOTE : `every server verifies with the new key (unable to verify at most: ${intervals(j) || '-'})`,
        );
      await pushAll(ctx, j, left);
      const err = refusedError(j, 'finish-servers');
      if (err) throw err;
      const unreachable = Object.keys(j.servers).filter((n) => j.servers[n]!.state === 'unreachable');
      if (unreachable.length) {
        return {
          status: 'waiting',
          on: 'unreachable security servers',
          message: `${unreachable.join(', ')} did not answer: until it imports the anchor ${j.anchor?.file} it cannot verify global configuration (import it by hand, or let xrdctl rotate resume ${j.id} push it once it answers)`,
        };
      }
      return done(`every server verifies with the new key (unable to verify at most: ${intervals(j)})`);
    },
  },
};

export function configSigningStep(name: ConfigSigningStepName): ConfigSigningStep {
  return STEPS[name];
}

/**
 * Before resuming: a new key that is gone from the central server reopens everything from add-key; a new key that
 * no longer signs (someone re-activated the old one) reopens the activation and what follows it.
 */
export async function reconcileConfigSigning(j: ConfigSigningJournal, cs: CentralServerApi): Promise<void> {
  const names = configSigningRunbook(j);
  const reopenFrom = (name: ConfigSigningStepName, why: string) => {
    for (const n of names.slice(names.indexOf(name))) {
      const rec = j.steps.find((s) => s.name === n);
      if (rec && rec.status !== 'pending') {
        rec.status = 'pending';
        rec.message = why;
      }
    }
  };
  if (!j.new.keyId || j.steps.find((s) => s.name === 'add-key')?.status !== 'done') return;
  const k = (await sourceKeys(cs, j.configSource)).find((x) => x.id === j.new.keyId);
  if (!k) {
    j.new = { label: j.new.label };
    for (const s of Object.values(j.servers)) s.state = 'pending';
    reopenFrom('add-key', 'the new key is no longer on the central server');
  } else if (!k.active && j.steps.find((s) => s.name === 'activate-key')?.status === 'done') {
    for (const s of Object.values(j.servers)) if (s.state === 'verified') s.state = j.mode === 'routine' ? 'seen' : 'pending';
    reopenFrom('activate-key', 'the new key no longer signs');
  }
}
