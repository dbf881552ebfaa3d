import { resolve } from 'node:path';
import type { CentralServerApi } from '../api/central-server.js';
import { connectCentralServer, connectSecurityServer, loadContext } from '../api/connect.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { certRows, findKey } from '../certs/inventory.js';
import { certAction, deleteKey } from '../certs/lifecycle.js';
import { resolveSecret } from '../config/secrets.js';
import { ConflictError, UsageError } from '../errors/index.js';
import type { RotateCertRequest } from '../engine/types.js';
import type { DesiredCert, DesiredInstance } from '../model/desired.js';
import {
  listJournals,
  loadJournal,
  saveJournal,
  acquireLock,
  isCertificate,
  isConfigSigning,
  type JournalIssuer,
  type RotationJournal,
  type RotationUsage,
} from '../rotation/journal.js';
import { runRotations } from '../rotation/run.js';
import { chooseCertificates, runbook, step, type RotationContext, type RotationStepName } from '../rotation/steps.js';
import { desiredFrom } from './plan.js';
import { summarize, type RotateHooks, type RotateResult } from './rotation-result.js';
import { openSession } from './session.js';

export interface RotateSettings {
  /** null: two global-configuration distribution intervals, as the server reports them */
  propagationMs: number | null;
  keepOldMs: number | null;
  timeoutMs: number;
  tokenId?: string;
  address?: string;
  subject?: Record<string, string>;
  revokeCommand?: string;
}

export interface RotateRequest {
  usage: RotationUsage;
  /** a context, or a manifest with the servers to rotate (none named: every server, or --all: the due ones) */
  target: { context?: string; csContext?: string } | { manifest: string[]; servers?: string[]; all?: boolean };
  member?: string;
  /** the certificate to replace (default: the working one closest to expiry) */
  cert?: string;
  emergency: boolean;
  cutNow: boolean;
  /** -c: the CA and issuer from flags; -f: from the manifest unless given */
  ca?: string;
  /** the issuer from flags (given the rotation id, for the manual adapter's file names); otherwise the manifest's */
  issuer?: (id: string) => Promise<JournalIssuer | undefined>;
  settings: RotateSettings;
}

export type { RotateHooks, RotateResult } from './rotation-result.js';

interface Target {
  server: string;
  api: SecurityServerApi;
  cs?: CentralServerApi;
  approve: boolean;
  source: RotationJournal['source'];
  /** the manifest's certificate entry for this usage/member, when a manifest names it */
  desired?: DesiredCert;
  tokenId: string;
  address?: string;
}

type Closer = () => void;

async function contextTarget(name: string | undefined, csName: string | undefined, closers: Closer[], hooks: RotateHooks): Promise<Target> {
  const opts = { prompt: hooks.prompt, warn: hooks.warn };
  const ctx = loadContext(name, hooks.env);
  const api = await connectSecurityServer(ctx, opts);
  closers.push(() => api.http.close());
  const csCtx = csName ?? ctx.centralContext;
  let cs: CentralServerApi | undefined;
  if (csCtx) {
    cs = await connectCentralServer(loadContext(csCtx, hooks.env), opts);
    closers.push(() => cs!.http.close());
  }
  return { server: ctx.name, api, cs, approve: !!cs, source: { context: ctx.name, csContext: csCtx }, tokenId: '0' };
}

async function manifestTargets(
  files: string[],
  names: string[] | undefined,
  usage: RotationUsage,
  member: string | undefined,
  closers: Closer[],
  hooks: RotateHooks,
): Promise<{ desired: DesiredInstance; targets: Target[] }> {
  const desired = await desiredFrom(files);
  const unknown = (names ?? []).filter((n) => !desired.servers.some((s) => s.name === n));
  if (unknown.length)
    throw new UsageError(`${unknown.join(', ')}: not a security server of ${files.join(', ')}`, {
      hint: `servers there: ${desired.servers.map((s) => s.name).join(', ')}`,
    });
  const session = await openSession(desired, { prompt: hooks.prompt, warn: hooks.warn });
  closers.push(() => session.close());
  const abs = files.map((f) => resolve(f));
  return {
    desired,
    targets: desired.servers
      .filter((s) => !names?.length || names.includes(s.name))
      .map((s) => ({
        server: s.name,
        api: session.security.get(s.name)!,
        cs: session.central,
        approve: !!desired.central?.approveRequests && !!session.central,
        source: { manifest: abs },
        desired: s.certificates.find((c) => c.usage === usage && (usage === 'auth' || !member || c.member === member)),
        tokenId: s.token.id,
        address: s.address,
      })),
  };
}

function journalId(server: string, usage: RotationUsage, member: string | undefined): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${server}-${usage}${member ? '-' + member : ''}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

function issuerOfManifest(d: DesiredCert | undefined, id: string): JournalIssuer | undefined {
  const i = d?.issuer;
  if (!i) return undefined;
  if (i.type === 'server-acme') return { type: 'server-acme' };
  if (i.type === 'command') return { type: 'command', command: i.command, timeoutMs: (i.timeoutSeconds ?? 120) * 1000 };
  return { type: 'manual', csrFile: resolve(i.dir, `${id}.csr`), certFile: resolve(i.dir, `${id}.crt`) };
}

/** Is this certificate due: within renewBeforeDays, expired, or revoked? */
function due(row: { daysLeft: number; ocspStatus: string | null }, renewBeforeDays: number): boolean {
  return row.daysLeft < renewBeforeDays || ['OCSP_RESPONSE_REVOKED', 'OCSP_RESPONSE_SUSPENDED'].includes(row.ocspStatus ?? '');
}

function context(t: Target, hooks: RotateHooks, j: () => RotationJournal): RotationContext {
  return {
    api: t.api,
    cs: t.cs,
    approve: t.approve,
    progress: () => {},
    confirm: (s, what) => hooks.confirm(j(), s, what),
    secret: (ref, what) => resolveSecret(ref, { what, prompt: hooks.prompt, warn: hooks.warn, env: hooks.env }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/** Start rotations: validate everything, write one journal per rotation, then run them on the engine. */
export async function startRotation(req: RotateRequest, hooks: RotateHooks): Promise<RotateResult> {
  if (req.cutNow && !req.emergency) throw new UsageError('--cut-now is part of an emergency rotation', { hint: 'add --emergency' });
  if (req.usage === 'sign' && 'context' in req.target && !req.member)
    throw new UsageError('rotate sign needs --member INSTANCE:CLASS:CODE (the sign certificate’s owner)');
  const closers: Closer[] = [];
  try {
    const targets =
      'manifest' in req.target
        ? (await manifestTargets(req.target.manifest, req.target.servers, req.usage, req.member, closers, hooks)).targets
        : [await contextTarget(req.target.context, req.target.csContext, closers, hooks)];
    return await rotateTargets(targets, req, hooks);
  } finally {
    for (const c of closers) c();
  }
}

/** Journal and run the rotations of connected servers (the part start and apply share). */
async function rotateTargets(
  targets: Target[],
  req: Omit<RotateRequest, 'target'> & { target?: RotateRequest['target'] },
  hooks: RotateHooks,
): Promise<RotateResult> {
  const env = hooks.env ?? process.env;
  {
    const unfinished = listJournals(env)
      .filter(isCertificate)
      .filter((j) => j.status !== 'done' && j.status !== 'aborted');
    const items: { journal: RotationJournal; ctx: RotationContext }[] = [];
    for (const t of targets) {
      const members = req.usage === 'sign' ? (req.member ? [req.member] : await manifestMembers(t, req)) : [undefined];
      for (const member of members) {
        const busy = unfinished.find((j) => j.server === t.server && j.usage === req.usage && (j.member ?? '') === (member ?? ''));
        if (busy)
          throw new ConflictError(
            `${t.server} has an unfinished ${req.usage} rotation ${busy.id} (${busy.status}${busy.waitingOn ? `, waiting on ${busy.waitingOn}` : ''})`,
            { server: t.server, step: 'start', hint: `xrdctl rotate resume ${busy.id}, or xrdctl rotate abort ${busy.id}` },
          );
        const tokens = await t.api.getTokens();
        const now = t.api.http.serverNow();
        const { old, renewed } = chooseCertificates(tokens, req.usage, member, now, req.cert);
        if (req.cert && !old)
          throw new UsageError(`no ${req.usage} certificate ${req.cert} on ${t.server}`, { server: t.server, step: 'start', hint: 'xrdctl cert list' });
        if (!old)
          throw new UsageError(`${t.server} has no ${req.usage} certificate${member ? ` for ${member}` : ''} to rotate`, {
            server: t.server,
            step: 'start',
            hint:
              req.usage === 'sign'
                ? 'issue one first: xrdctl csr create --usage sign --member …, or apply with an issuer'
                : 'issue one first: xrdctl csr create --usage auth, or apply with an issuer',
          });
        const renewBefore = t.desired?.renewBeforeDays ?? 30;
        if (req.target && 'manifest' in req.target && req.target.all && !req.emergency && !due(old, renewBefore)) continue;
        const id = journalId(t.server, req.usage, member);
        const ca = req.ca ?? t.desired?.ca;
        if (!ca)
          throw new UsageError(`which CA signs the new ${req.usage} certificate of ${t.server}?`, {
            server: t.server,
            step: 'start',
            hint: 'pass --ca NAME, or give the manifest’s certificate a ca',
          });
        const issuer = (req.issuer ? await req.issuer(id) : undefined) ?? issuerOfManifest(t.desired, id);
        if (!issuer && !renewed)
          throw new UsageError(`how does the CSR of ${t.server} reach ${ca}?`, {
            server: t.server,
            step: 'start',
            hint: 'pass --adapter (server-acme, acme, command, manual), or give the manifest’s certificate an issuer',
          });
        const key = findKey(tokens, old.keyId);
        const j: RotationJournal = {
          format: 'xrdctl-rotation/1',
          id,
          server: t.server,
          source: t.source,
          usage: req.usage,
          member,
          mode: req.emergency ? 'emergency' : 'routine',
          cutNow: req.cutNow,
          ca,
          issuer: issuer ?? { type: 'server-acme' },
          options: {
            tokenId: req.settings.tokenId ?? key?.token.id ?? t.tokenId,
            address: req.settings.address ?? t.address,
            subject: req.settings.subject,
            propagationMs: req.emergency ? 0 : req.settings.propagationMs,
            keepOldMs: req.emergency ? (req.settings.keepOldMs ?? 0) : req.settings.keepOldMs,
            timeoutMs: req.settings.timeoutMs,
            revokeCommand: req.settings.revokeCommand,
          },
          old: { hash: old.hash, keyId: old.keyId, notAfter: old.notAfter },
          new: renewed ? { hash: renewed.hash, keyId: renewed.keyId, renewedByServer: true } : {},
          status: 'running',
          steps: [],
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        if (renewed)
          for (const name of ['new-key', 'ca', 'import'] as RotationStepName[])
            if (runbook(j).includes(name)) j.steps.push({ name, status: 'skipped', message: `renewed by the server (${renewed.hash.slice(0, 16)}…)` });
        items.push({ journal: j, ctx: context(t, hooks, () => j) });
      }
    }
    if (!items.length) return { status: 'done', rotations: [] };
    await preconfirm(
      items.map((i) => i.journal),
      hooks,
    );
    for (const it of items) saveJournal(it.journal, env);
    return summarize(await runRotations(items, { concurrency: hooks.concurrency, onEvent: hooks.onEvent, stopped: hooks.stopped, env }));
  }
}

async function manifestMembers(t: Target, req: { member?: string }): Promise<string[]> {
  const tokens = await t.api.getTokens();
  const owners = [
    ...new Set(
      certRows(t.server, tokens)
        .filter((r) => r.usage === 'sign' && r.ownerId)
        .map((r) => r.ownerId!),
    ),
  ];
  return req.member ? [req.member] : owners;
}

/** Off a terminal, irreversible steps need consent (--yes) before anything starts, so nothing starts that cannot finish. */
async function preconfirm(journals: RotationJournal[], hooks: RotateHooks): Promise<void> {
  for (const j of journals) {
    const names = runbook(j).filter((n) => step(n).irreversible && j.steps.find((s) => s.name === n)?.status !== 'done');
    if (names.length) hooks.consent(j, names);
  }
}

/**
 * The runbook for apply's rotation changes: the manifest's certificate on one server of an open
 * session, with the same journal as xrdctl rotate (an unfinished rotation of it is resumed, not
 * started twice). A rotation that is left waiting (the CA, an approval) fails the change with the id.
 */
export function rotateForApply(
  desired: DesiredInstance,
  session: { central?: CentralServerApi; security: Map<string, SecurityServerApi> },
  manifest: string[] | undefined,
  settings: Omit<RotateSettings, 'keepOldMs'>,
  hooks: RotateHooks,
) {
  return async (req: RotateCertRequest, progress: (m: string) => void): Promise<void> => {
    const env = hooks.env ?? process.env;
    const s = desired.servers.find((x) => x.name === req.server)!;
    const t: Target = {
      server: s.name,
      api: session.security.get(s.name)!,
      cs: session.central,
      approve: !!desired.central?.approveRequests && !!session.central,
      source: manifest?.length ? { manifest: manifest.map((f) => resolve(f)) } : {},
      desired: s.certificates.find((c) => c.usage === req.usage && (req.usage === 'auth' || c.member === req.member)),
      tokenId: s.token.id,
      address: s.address,
    };
    const h: RotateHooks = { ...hooks, onEvent: (e) => e.type !== 'start' && progress(`${e.step}: ${e.type === 'end' ? e.status : e.message}`) };
    const open = listJournals(env)
      .filter(isCertificate)
      .find((j) => j.server === t.server && j.usage === req.usage && (j.member ?? null) === req.member && j.status !== 'done' && j.status !== 'aborted');
    let r: RotateResult;
    if (open) {
      progress(`resuming rotation ${open.id}`);
      await preconfirm([open], h);
      r = summarize(await runRotations([{ journal: open, ctx: context(t, h, () => open) }], { onEvent: h.onEvent, stopped: h.stopped, env }));
    } else {
      r = await rotateTargets(
        [t],
        {
          usage: req.usage,
          member: req.member ?? undefined,
          cert: req.certHash,
          emergency: false,
          cutNow: false,
          ca: req.ca,
          settings: { ...settings, keepOldMs: req.keepReplacedMs },
        },
        h,
      );
    }
    if (r.error) throw r.error;
    const j = r.rotations[0];
    if (j && j.status === 'waiting')
      throw new ConflictError(`rotation ${j.id} is waiting on ${j.waitingOn}`, {
        server: t.server,
        step: 'rotate-cert',
        hint: `xrdctl rotate resume ${j.id} (or apply again) once it is there`,
      });
  };
}

/** Reconnect to what the journal names and run it from where it stopped (re-reading the server first). */
export async function resumeRotation(id: string, hooks: RotateHooks): Promise<RotateResult> {
  const env = hooks.env ?? process.env;
  const j = loadJournal(id, env);
  if (j.status === 'done' || j.status === 'aborted') return { status: j.status, rotations: [j] };
  if (isConfigSigning(j)) return (await import('./rotate-config-signing.js')).resumeConfigSigning(j, hooks);
  const closers: Closer[] = [];
  try {
    const t = await reconnect(j, closers, hooks);
    await preconfirm([j], hooks);
    return summarize(await runRotations([{ journal: j, ctx: context(t, hooks, () => j) }], { onEvent: hooks.onEvent, stopped: hooks.stopped, env }));
  } finally {
    for (const c of closers) c();
  }
}

async function reconnect(j: RotationJournal, closers: Closer[], hooks: RotateHooks): Promise<Target> {
  if (j.source.context) return contextTarget(j.source.context, j.source.csContext, closers, hooks);
  if (j.source.manifest) {
    const { targets } = await manifestTargets(j.source.manifest, [j.server], j.usage, j.member, closers, hooks);
    return targets[0]!;
  }
  throw new UsageError(`rotation ${j.id} names neither a context nor a manifest`);
}

/**
 * Abort: undo what can be undone. Before the old certificate was touched, the new certificate and key
 * are removed (an unregistered new auth certificate is unregistered first); after it, nothing is
 * rolled back (the new one is the working one) and the result says so.
 */
export async function abortRotation(id: string, hooks: RotateHooks): Promise<RotateResult & { undone: string[]; kept: string[] }> {
  const env = hooks.env ?? process.env;
  const j = loadJournal(id, env);
  const undone: string[] = [];
  const kept: string[] = [];
  if (j.status === 'done' || j.status === 'aborted')
    return { status: j.status, rotations: [j], undone, kept: [`rotation ${j.id} is ${j.status}: nothing to abort`] };
  if (isConfigSigning(j)) return (await import('./rotate-config-signing.js')).abortConfigSigning(j, hooks);
  const closers: Closer[] = [];
  const release = acquireLock(j.server, j.id, env);
  try {
    const t = await reconnect(j, closers, hooks);
    const touchedOld = j.steps.some(
      (s) => ['cut-old', 'disable-old', 'unregister-old', 'cs-delete-old', 'revoke-old', 'delete-old'].includes(s.name) && s.status === 'done',
    );
    if (touchedOld) kept.push(`the old certificate ${j.old?.hash.slice(0, 16)}… was already taken out of use: the new one stays`);
    else if (j.new.keyId && !j.new.renewedByServer) {
      const tokens = await t.api.getTokens();
      const k = findKey(tokens, j.new.keyId);
      if (k) {
        for (const c of k.key.certificates ?? []) {
          const h = c.certificate_details.hash.toUpperCase();
          if (c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS') {
            await hooks.confirm(j, 'unregister-old', `unregister the new certificate ${h.slice(0, 16)}… of ${j.server} (abort)`);
            await certAction(t.api, h, 'unregister');
            undone.push(`new certificate ${h.slice(0, 16)}… unregistered`);
          }
        }
        // the invariant still holds: the old certificate is untouched, so removing the new key is safe
        await deleteKey(t.api, j.new.keyId);
        undone.push(`new key ${j.new.keyId} deleted with its CSR and certificate`);
      } else undone.push('the new key is not on the server');
    } else if (j.new.renewedByServer) kept.push('the new certificate was renewed by the server itself: kept');
    if (j.steps.some((s) => s.name === 'ca' && s.status === 'done') && j.issuer.type !== 'server-acme')
      kept.push('the CA issued a certificate for the new key: revoke it there if policy asks');
    j.status = 'aborted';
    saveJournal(j, env);
    return { status: 'aborted', rotations: [j], undone, kept };
  } finally {
    release();
    for (const c of closers) c();
  }
}

export function rotationStatus(id: string | undefined, env: NodeJS.ProcessEnv = process.env): RotateResult {
  const rotations = id ? [loadJournal(id, env)] : listJournals(env);
  const worst = rotations.some((j) => j.status === 'failed')
    ? 'failed'
    : rotations.some((j) => j.status === 'waiting' || j.status === 'running')
      ? 'waiting'
      : 'done';
  return { status: worst, rotations };
}
