import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { Token, TokenCertificate } from '../api/types/ss.js';
import { certRows, findCert, findKey } from '../certs/inventory.js';
import { certAction, createCsr, deleteKey, findAuthCertRequest, importCert } from '../certs/lifecycle.js';
import { isWorking, removalProblems } from '../certs/safety.js';
import { submitCsr, type IssuerSpec } from '../certs/submit.js';
import { ApiError, ConflictError, SafetyError, UsageError } from '../errors/index.js';
import { parseCertificate } from '../pki/x509.js';
import { pollUntil } from '../time/poll.js';
import type { JournalIssuer, RotationJournal, RotationStepName } from './journal.js';

export type { RotationStepName };

export type StepResult =
  | { status: 'done' | 'skipped'; message: string; observed?: Record<string, unknown> }
  /** nothing failed, but the runbook cannot go on yet (the CA, an approval, a grace period) */
  | { status: 'waiting'; on: string; message: string };

export interface RotationContext {
  api: SecurityServerApi;
  cs?: CentralServerApi;
  /** approve the registration at the central server (a central context is known) */
  approve: boolean;
  progress: (m: string) => void;
  /** the operator's go-ahead for an irreversible step (typed name on a terminal, --yes off one) */
  confirm: (step: RotationStepName, what: string) => Promise<void>;
  /** resolve a secret reference (the ACME EAB key) */
  secret: (ref: string, what: string) => Promise<string>;
  sleep: (ms: number) => Promise<void>;
}

export interface RotationStep {
  name: RotationStepName;
  /** it cannot be undone: confirmed before it runs */
  irreversible?: boolean;
  /** it can take the old certificate out of use: the invariants are checked first */
  removes?: boolean;
  run(ctx: RotationContext, j: RotationJournal): Promise<StepResult>;
}

const usageType = (j: RotationJournal) => (j.usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING');
const short = (h?: string) => (h ? `${h.slice(0, 16)}…` : '?');
const done = (message: string, observed?: Record<string, unknown>): StepResult => ({ status: 'done', message, observed });
const skipped = (message: string): StepResult => ({ status: 'skipped', message });

/** A certificate that serves: active, REGISTERED, unexpired, OCSP good (the proxy's own test, §5). */
export function servesNow(c: TokenCertificate, now: Date): boolean {
  return isWorking(c, now) && c.ocsp_status === 'OCSP_RESPONSE_GOOD';
}

async function newCert(ctx: RotationContext, j: RotationJournal): Promise<{ tokens: Token[]; cert?: TokenCertificate }> {
  const tokens = await ctx.api.getTokens();
  return { tokens, cert: j.new.hash ? findCert(tokens, j.new.hash)?.cert : undefined };
}

async function issuerSpec(ctx: RotationContext, i: JournalIssuer): Promise<IssuerSpec> {
  if (i.type !== 'acme') return i;
  const hmac = i.eabHmacRef ? await ctx.secret(i.eabHmacRef, 'ACME EAB MAC key') : undefined;
  return {
    type: 'acme',
    options: {
      directoryUrl: i.directoryUrl,
      caBundleFile: i.caBundleFile,
      accountKeyFile: i.accountKeyFile,
      email: i.email,
      eab: i.eabKid && hmac ? { kid: i.eabKid, hmacKey: hmac } : undefined,
      challenge: i.httpPort ? { type: 'http-01', listen: { host: '127.0.0.1', port: i.httpPort } } : { type: 'none' },
      orderTimeoutMs: i.timeoutMs,
      timeoutMs: Math.min(30_000, i.timeoutMs),
    },
  };
}

/** Wait (bounded by the rotation's timeout) until `test` holds, polling with backoff (250 ms up to 5 s apart). */
function until<T>(ctx: RotationContext, j: RotationJournal, what: string, probe: () => Promise<T>, test: (v: T) => boolean): Promise<{ ok: boolean; last: T }> {
  return pollUntil(probe, test, { deadline: Date.now() + j.options.timeoutMs, sleep: ctx.sleep, onWait: () => ctx.progress(what) });
}

/**
 * Two global-configuration distribution intervals, as the server itself reports them (next − previous
 * download, xroad-flows §4.3, §7); 2 × 60 s, the X-Road default, when it does not say.
 */
async function twoDistributionIntervals(ctx: RotationContext): Promise<number> {
  try {
    const d = await ctx.api.getGlobalConfDiagnostics();
    const interval = Date.parse(d.next_update_at ?? '') - Date.parse(d.prev_update_at ?? '');
    if (Number.isFinite(interval) && interval > 0) return Math.min(2 * interval, 2 * 3_600_000);
  } catch {
    // an observer key without DIAGNOSTICS, or an old server: the documented default
  }
  return 120_000;
}

/** A step on the old certificate as the server shows it now (skipped when there is none, or it is gone). */
async function withOld(
  ctx: RotationContext,
  j: RotationJournal,
  step: (tokens: Token[], old: TokenCertificate, hash: string) => Promise<StepResult>,
): Promise<StepResult> {
  if (!j.old) return skipped('no old certificate');
  const tokens = await ctx.api.getTokens();
  const old = findCert(tokens, j.old.hash)?.cert;
  if (!old) return skipped('the old certificate is gone already');
  return step(tokens, old, j.old.hash);
}

/** Refuse a step that would leave the server or the member without a working certificate (exit 5). */
function assertInvariant(j: RotationJournal, tokens: Token[], step: RotationStepName, removal: { certs?: string[]; keys?: string[] }, now: Date): void {
  if (j.cutNow && step === 'cut-old') return;
  const problems = removalProblems(j.server, tokens, removal, now);
  if (problems.length) {
    throw new SafetyError(`refused: ${problems.join('; ')}`, {
      server: j.server,
      step,
      hint: `the new certificate must be working first: xrdctl rotate status ${j.id}`,
    });
  }
}

const STEPS: Record<RotationStepName, RotationStep> = {
  'cut-old': {
    name: 'cut-old',
    irreversible: true,
    removes: true,
    async run(ctx, j) {
      if (!j.old) return skipped('no old certificate');
      const cert = findCert(await ctx.api.getTokens(), j.old.hash)?.cert;
      if (!cert?.active) return skipped(`old certificate ${short(j.old.hash)} is already disabled`);
      await ctx.confirm(
        'cut-old',
        `disable ${short(j.old.hash)} now, before a new certificate works: ${j.server} goes off the exchange until the new one is active`,
      );
      await certAction(ctx.api, j.old.hash, 'disable', { force: true });
      return done(`old certificate ${short(j.old.hash)} disabled before the new one (--cut-now)`);
    },
  },
  'new-key': {
    name: 'new-key',
    async run(ctx, j) {
      if (j.new.renewedByServer) return skipped(`the server renewed it already (${short(j.new.hash)})`);
      const tokens = await ctx.api.getTokens();
      if (j.new.keyId) {
        if (findKey(tokens, j.new.keyId)) return done(`key ${j.new.keyId} made before is there`, { keyId: j.new.keyId });
        if (j.new.hash)
          throw new ConflictError(`the new key ${j.new.keyId} is gone from ${j.server}`, {
            server: j.server,
            step: 'new-key',
            hint: `xrdctl rotate abort ${j.id}, then start again`,
          });
        j.new = {};
      }
      // A1: a new key is mandatory (a CSR for the old key would reuse the compromised or expiring key)
      const r = await createCsr(
        ctx.api,
        { usage: usageType(j), ca: j.ca, member: j.member, tokenId: j.options.tokenId, address: j.options.address, subject: j.options.subject },
        ctx.progress,
      );
      j.new.keyId = r.keyId;
      j.new.csrId = r.csrId;
      return done(`key ${r.keyId} and CSR ${r.csrId} on token ${j.options.tokenId}`, { keyId: r.keyId, csrId: r.csrId });
    },
  },
  ca: {
    name: 'ca',
    async run(ctx, j) {
      if (j.new.renewedByServer) return skipped('renewed by the server');
      if (j.new.certificatePem || j.new.hash) return done('the CA answered before');
      if (!j.new.keyId || !j.new.csrId) throw new ConflictError('no CSR to submit', { server: j.server, step: 'ca' });
      // the server may hold the certificate already: a run before ordered it (the server imports what it orders, and
      // the CSR is gone then) and lost the answer, or someone imported it. Re-read first; never order twice
      const held = findKey(await ctx.api.getTokens(), j.new.keyId)?.key.certificates?.[0];
      if (held) {
        j.new.hash = held.certificate_details.hash.toUpperCase();
        return done(`the server holds ${short(j.new.hash)} for the new key already`, { hash: j.new.hash });
      }
      const csr = j.issuer.type === 'server-acme' ? Buffer.alloc(0) : await ctx.api.downloadCsr(j.new.keyId, j.new.csrId, 'PEM');
      const res = await submitCsr({
        api: ctx.api,
        keyId: j.new.keyId,
        csrId: j.new.csrId,
        csr,
        usage: j.usage,
        ca: j.ca,
        progress: ctx.progress,
        issuer: await issuerSpec(ctx, j.issuer),
      });
      if (res.kind === 'pending') return { status: 'waiting', on: 'the CA', message: `CSR handed over: ${res.where}; then xrdctl rotate resume ${j.id}` };
      if (res.kind === 'imported') {
        j.new.hash = res.hash;
        return done(`the server ordered and imported ${short(res.hash)}`, { hash: res.hash });
      }
      const parsed = parseCertificate(res.certificate);
      j.new.certificatePem = parsed.pem;
      j.new.hash = parsed.sha256Hex.toUpperCase();
      return done(`certificate ${short(j.new.hash)} from ${j.issuer.type}, valid until ${parsed.notAfter.toISOString()}`, { hash: j.new.hash });
    },
  },
  import: {
    name: 'import',
    async run(ctx, j) {
      const { cert } = await newCert(ctx, j);
      if (cert)
        return done(`certificate ${short(j.new.hash)} is on the server (${cert.status}${cert.active ? ', active' : ''})`, {
          status: cert.status,
          active: cert.active,
        });
      if (!j.new.certificatePem) throw new ConflictError('no certificate to import', { server: j.server, step: 'import' });
      // the import checks (approved issuer, validity, a key waiting for it) run before anything is sent
      const row = await importCert(ctx.api, Buffer.from(j.new.certificatePem), `the new ${j.usage} certificate`, ctx.progress);
      j.new.hash = row.hash;
      return done(`imported ${short(row.hash)} (${row.status})`, { status: row.status, active: row.active });
    },
  },
  register: {
    name: 'register',
    async run(ctx, j) {
      const { cert } = await newCert(ctx, j);
      if (!cert) throw new ConflictError(`the new certificate ${short(j.new.hash)} is not on the server`, { server: j.server, step: 'register' });
      if (cert.status !== 'SAVED') return done(`already ${cert.status}`, { status: cert.status });
      let address = j.options.address;
      if (!address) address = (await ctx.api.getServerAddress()).current_address?.address;
      if (!address) throw new UsageError('the server has no public address to register', { server: j.server, step: 'register', hint: 'pass --address HOST' });
      ctx.progress(`sending the registration request (address ${address})`);
      await ctx.api.registerCertificate(j.new.hash!, address);
      return done(`registration request sent (${address})`, { status: 'REGISTRATION_IN_PROGRESS' });
    },
  },
  approve: {
    name: 'approve',
    async run(ctx, j) {
      const { cert } = await newCert(ctx, j);
      if (cert?.status === 'REGISTERED') return done('already REGISTERED');
      if (!ctx.cs || !ctx.approve) return skipped('no central server context: the central server approves it');
      const ssId = (await ctx.api.getCurrentSecurityServer())[0]?.id;
      const { id, approved } = await findAuthCertRequest(ctx.cs, ssId, j.new.hash!, Math.min(j.options.timeoutMs, 15_000));
      // approved by a run that died after approving (or lost the answer), or by someone else
      if (approved) return done(`management request ${id} was approved already`, { request: id });
      try {
        ctx.progress(`approving management request ${id}`);
        await ctx.cs.approveManagementRequest(id);
        return done(`management request ${id} approved`, { request: id });
      } catch (e) {
        // a 409: approved by someone else between the listing and the approval? Only if the central server says so
        if (e instanceof ApiError && e.status === 409 && (await findAuthCertRequest(ctx.cs, ssId, j.new.hash!, 0).catch(() => undefined))?.approved)
          return done('the request was approved already');
        throw e;
      }
    },
  },
  'wait-registered': {
    name: 'wait-registered',
    async run(ctx, j) {
      const r = await until(
        ctx,
        j,
        'waiting for REGISTERED (global configuration distributes the approval)',
        async () => (await newCert(ctx, j)).cert,
        (c) => c?.status === 'REGISTERED' || c?.status === 'GLOBAL_ERROR',
      );
      if (r.last?.status === 'GLOBAL_ERROR')
        throw new ConflictError(
          `the new certificate ${short(j.new.hash)} went to GLOBAL_ERROR: the central server does not list it (declined or deleted there)`,
          { server: j.server, step: 'wait-registered', hint: `xrdctl rotate abort ${j.id}, then rotate again` },
        );
      if (!r.ok)
        return {
          status: 'waiting',
          on: ctx.cs && ctx.approve ? 'global configuration' : 'the central server’s approval',
          message: `still ${r.last?.status ?? 'missing'}; xrdctl rotate resume ${j.id} keeps waiting`,
        };
      return done('REGISTERED', { status: 'REGISTERED' });
    },
  },
  activate: {
    name: 'activate',
    async run(ctx, j) {
      const { cert } = await newCert(ctx, j);
      if (!cert) throw new ConflictError(`the new certificate ${short(j.new.hash)} is not on the server`, { server: j.server, step: 'activate' });
      if (cert.active) return done('active already');
      await ctx.api.activateCertificate(j.new.hash!);
      return done('activated');
    },
  },
  verify: {
    name: 'verify',
    async run(ctx, j) {
      const r = await until(
        ctx,
        j,
        'waiting for OCSP GOOD on the new certificate',
        async () => (await newCert(ctx, j)).cert,
        (c) => !!c && servesNow(c, ctx.api.http.serverNow()),
      );
      if (!r.ok) {
        const c = r.last;
        throw new ConflictError(
          `the new certificate ${short(j.new.hash)} does not serve: ${c ? `${c.status}, ${c.active ? 'active' : 'inactive'}, OCSP ${c.ocsp_status ?? 'none'}` : 'missing'}`,
          { server: j.server, step: 'verify', hint: `the old certificate is untouched; xrdctl rotate resume ${j.id} checks again` },
        );
      }
      if (j.usage === 'sign' && j.member) {
        const client = await ctx.api.getClient(j.member).catch(() => undefined);
        if (client && client.has_valid_local_sign_cert === false)
          throw new ConflictError(`${j.member} reports no valid local sign certificate`, { server: j.server, step: 'verify' });
      }
      return done('serves: active, REGISTERED, OCSP GOOD', { ocsp: r.last?.ocsp_status });
    },
  },
  propagate: {
    name: 'propagate',
    async run(ctx, j) {
      const verified = j.steps.find((s) => s.name === 'verify')?.endedAt;
      const since = verified ? Date.parse(verified) : Date.now();
      const wait = j.options.propagationMs ?? (await twoDistributionIntervals(ctx));
      const until = since + wait;
      const left = until - Date.now();
      const said = `peers had ${(wait / 1000).toFixed(wait < 10_000 ? 1 : 0)} s to fetch global configuration${j.options.propagationMs === null ? ' (two of its distribution intervals)' : ''}`;
      if (left <= 0) return done(said, { waitedMs: wait });
      if (left > j.options.timeoutMs)
        return {
          status: 'waiting',
          on: 'global configuration distribution',
          message: `until ${new Date(until).toISOString()}; then xrdctl rotate resume ${j.id}`,
        };
      ctx.progress(`letting peers fetch global configuration with the new certificate (${Math.ceil(left / 1000)} s)`);
      // bounded: at most the rotation timeout, in slices so a signal can stop it
      for (let i = 0; i < 10_000 && Date.now() < until; i++) await ctx.sleep(Math.min(1000, until - Date.now()));
      return done(said, { waitedMs: wait });
    },
  },
  'disable-old': {
    name: 'disable-old',
    removes: true,
    run: (ctx, j) =>
      withOld(ctx, j, async (tokens, old, hash) => {
        if (!old.active) return done('the old certificate is disabled already');
        assertInvariant(j, tokens, 'disable-old', { certs: [hash] }, ctx.api.http.serverNow());
        await ctx.api.disableCertificate(hash);
        return done(`old certificate ${short(hash)} disabled`);
      }),
  },
  'unregister-old': {
    name: 'unregister-old',
    irreversible: true,
    removes: true,
    run: (ctx, j) =>
      withOld(ctx, j, async (tokens, old, hash) => {
        if (old.status === 'DELETION_IN_PROGRESS') return done('the old certificate is unregistered already');
        if (old.status !== 'REGISTERED' && old.status !== 'REGISTRATION_IN_PROGRESS')
          return skipped(`the old certificate is ${old.status}: nothing to unregister`);
        assertInvariant(j, tokens, 'unregister-old', { certs: [hash] }, ctx.api.http.serverNow());
        await ctx.confirm('unregister-old', `unregister the old auth certificate ${short(hash)} of ${j.server} at the central server (cannot be undone)`);
        await certAction(ctx.api, hash, 'unregister');
        return done(`old certificate ${short(hash)} unregistered (DELETION_IN_PROGRESS)`);
      }),
  },
  'cs-delete-old': {
    name: 'cs-delete-old',
    irreversible: true,
    async run(ctx, j) {
      if (!j.old) return skipped('no old certificate');
      if (!ctx.cs) return skipped('no central server context: ask the central server to delete it');
      const ssId = (await ctx.api.getCurrentSecurityServer())[0]?.id;
      if (!ssId) return skipped('the server does not know its own id');
      const listed = (await ctx.cs.getSecurityServerAuthCerts(ssId)).find((c) => c.hash?.toUpperCase() === j.old!.hash);
      if (!listed || listed.id === undefined) return done('the central server no longer lists the old certificate');
      await ctx.confirm('cs-delete-old', `delete the old auth certificate ${short(j.old.hash)} of ${ssId} at the central server`);
      await ctx.cs.deleteSecurityServerAuthCert(ssId, listed.id);
      return done(`the central server deleted ${short(j.old.hash)}`);
    },
  },
  'revoke-old': {
    name: 'revoke-old',
    irreversible: true,
    async run(ctx, j) {
      if (!j.old) return skipped('no old certificate');
      if (!j.options.revokeCommand) return skipped('no --revoke-command: revoke it at the CA yourself');
      const tokens = await ctx.api.getTokens();
      const serial = findCert(tokens, j.old.hash)?.cert.certificate_details.serial ?? '';
      const { commandEnv, runCommand, splitCommand } = await import('../pki/adapters/command.js');
      await ctx.confirm('revoke-old', `revoke the old certificate ${short(j.old.hash)} at the CA`);
      const argv = splitCommand(j.options.revokeCommand).map((a) =>
        a
          .replaceAll('{serial}', serial)
          .replaceAll(
            '{serialHex}',
            BigInt(/^\d+$/.test(serial) ? serial : `0x${serial || '0'}`)
              .toString(16)
              .toUpperCase(),
          )
          .replaceAll('{hash}', j.old!.hash),
      );
      await runCommand(argv, { timeoutMs: j.options.timeoutMs, env: commandEnv(), log: ctx.progress });
      return done(`revoked at the CA (serial ${serial})`);
    },
  },
  'delete-old': {
    name: 'delete-old',
    removes: true,
    async run(ctx, j) {
      if (!j.old) return skipped('no old certificate');
      if (j.options.keepOldMs === null) return skipped(`old key ${j.old.keyId} kept (no grace period set: delete it with xrdctl key delete ${j.old.keyId})`);
      const tokens = await ctx.api.getTokens();
      if (!findKey(tokens, j.old.keyId)) return done('the old key is gone already');
      const from = j.steps.find((s) => s.name === 'unregister-old' || s.name === 'disable-old')?.endedAt;
      const at = (from ? Date.parse(from) : Date.now()) + j.options.keepOldMs;
      if (Date.now() < at)
        return {
          status: 'waiting',
          on: 'the grace period',
          message: `old key ${j.old.keyId} is deleted after ${new Date(at).toISOString()}: xrdctl rotate resume ${j.id}`,
        };
      assertInvariant(j, tokens, 'delete-old', { keys: [j.old.keyId] }, ctx.api.http.serverNow());
      await deleteKey(ctx.api, j.old.keyId);
      return done(`old key ${j.old.keyId} deleted`);
    },
  },
};

export function step(name: RotationStepName): RotationStep {
  return STEPS[name];
}

/** The steps of a runbook, in order (each needs the one before). */
export function runbook(j: Pick<RotationJournal, 'usage' | 'mode' | 'cutNow'>): RotationStepName[] {
  const issue: RotationStepName[] =
    j.usage === 'auth'
      ? ['new-key', 'ca', 'import', 'register', 'approve', 'wait-registered', 'activate', 'verify']
      : ['new-key', 'ca', 'import', 'activate', 'verify'];
  if (j.mode === 'routine')
    return j.usage === 'auth' ? [...issue, 'propagate', 'disable-old', 'unregister-old', 'delete-old'] : [...issue, 'disable-old', 'delete-old'];
  const cut: RotationStepName[] = j.cutNow ? ['cut-old'] : [];
  return j.usage === 'auth'
    ? [...cut, ...issue, 'disable-old', 'unregister-old', 'cs-delete-old', 'revoke-old', 'delete-old']
    : [...cut, ...issue, 'disable-old', 'revoke-old', 'delete-old'];
}

/** The certificate a rotation replaces, and one the server already renewed it with (X-Road ≥ 7.6 ACME). */
export function chooseCertificates(tokens: Token[], usage: 'auth' | 'sign', member: string | undefined, now: Date, hash?: string) {
  const rows = certRows('', tokens, now).filter((r) => r.usage === usage && (usage === 'auth' || r.ownerId === member));
  const old = hash
    ? rows.find((r) => r.hash === hash.toUpperCase())
    : [...rows]
        .filter((r) => r.status !== 'DELETION_IN_PROGRESS')
        .sort((a, b) => Number(b.active) - Number(a.active) || Date.parse(a.notAfter) - Date.parse(b.notAfter))[0];
  const renewed = old
    ? rows.find(
        (r) =>
          r.hash !== old.hash &&
          Date.parse(r.notAfter) > Date.parse(old.notAfter) &&
          r.daysLeft >= 0 &&
          !['DELETION_IN_PROGRESS', 'GLOBAL_ERROR'].includes(r.status),
      )
    : undefined;
  return { old, renewed };
}
