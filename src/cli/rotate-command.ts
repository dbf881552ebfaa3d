import { Flags } from './oclif.js';
import { ExitCode, NonInteractiveError, UsageError, XrdError } from '../errors/index.js';
import { isConfigSigning, type AnyJournal, type JournalIssuer } from '../rotation/journal.js';
import type { RotationEvent } from '../rotation/run.js';
import type { RotateHooks, RotateResult } from '../services/rotate.js';
import { parseDuration as parseDurationText } from '../model/duration.js';
import { acmeFlags, acmeSettings } from './acme-flags.js';
import { XrdCommand } from './base.js';
import { S, item } from './schema.js';

const step = item(
  {
    name: S.str(),
    status: S.enum(['pending', 'done', 'skipped', 'failed', 'waiting']),
    startedAt: S.str(),
    endedAt: S.str(),
    message: S.str(),
    observed: { type: 'object' },
  },
  ['startedAt', 'endedAt', 'message', 'observed'],
);
const server = item(
  {
    name: S.str(),
    state: S.enum(['pending', 'seen', 'verified', 'unreachable', 'refused']),
    unverifiedMs: S.int(
      'emergency: from the activation of the new key until this server verified again (an upper bound of the time it could not verify global configuration)',
    ),
    anchorUploadedAt: S.str(),
    verifiedAt: S.str(),
    message: S.str(),
  },
  ['unverifiedMs', 'anchorUploadedAt', 'verifiedAt', 'message'],
);
const rotation = item(
  {
    kind: S.enum(['certificate', 'config-signing'], 'a certificate of a security server, or a configuration signing key of the central server'),
    id: S.str(),
    server: S.str(),
    usage: S.enum(['auth', 'sign']),
    member: S.str(),
    configSource: S.enum(['INTERNAL', 'EXTERNAL']),
    mode: S.enum(['routine', 'emergency']),
    cutNow: S.bool(),
    ca: S.str(),
    status: S.enum(['running', 'waiting', 'failed', 'done', 'aborted']),
    waitingOn: S.str('what the rotation waits for: the CA, an approval, global configuration, the grace period, unreachable servers'),
    old: S.nullable(item({ hash: S.nullable(S.str()), keyId: S.str(), notAfter: S.str(), createdAt: S.str() }, ['notAfter', 'createdAt'])),
    new: item({ keyId: S.str(), hash: S.str(), renewedByServer: S.bool(), activatedAt: S.str() }, ['keyId', 'hash', 'renewedByServer', 'activatedAt']),
    anchorFile: S.str('emergency: the re-created anchor (0600), to import by hand on a server that could not be reached'),
    servers: S.arr(server, 'config-signing: every security server of the manifest'),
    steps: S.arr(step),
    createdAt: S.str(),
    updatedAt: S.str(),
    error: S.str(),
  },
  ['usage', 'member', 'configSource', 'cutNow', 'ca', 'waitingOn', 'anchorFile', 'servers', 'error'],
);
export const rotateResultSchema = S.obj({ status: S.enum(['done', 'waiting', 'failed', 'aborted']), rotations: S.arr(rotation) });

/** What the commands print of a journal (the certificate PEM stays in the journal). */
export function publicRotation(j: AnyJournal) {
  if (isConfigSigning(j)) {
    const { id, server, configSource, mode, status, waitingOn, steps, createdAt, updatedAt, error } = j;
    return {
      kind: j.kind,
      id,
      server,
      configSource,
      mode,
      status,
      waitingOn,
      old: j.old ? { keyId: j.old.keyId, hash: j.old.keyHash, createdAt: j.old.createdAt } : null,
      new: { keyId: j.new.keyId, hash: j.new.keyHash, activatedAt: j.new.activatedAt },
      anchorFile: j.anchor?.file,
      servers: Object.entries(j.servers).map(([name, s]) => ({
        name,
        state: s.state,
        unverifiedMs: s.unverifiedMs,
        anchorUploadedAt: s.anchorUploadedAt,
        verifiedAt: s.verifiedAt,
        message: s.message,
      })),
      steps,
      createdAt,
      updatedAt,
      error,
    };
  }
  const { format: _f, source: _s, issuer: _i, options: _o, new: n, ...rest } = j;
  return { ...rest, kind: 'certificate' as const, new: { keyId: n.keyId, hash: n.hash, renewedByServer: n.renewedByServer } };
}

export const rotateFlags = {
  manifest: Flags.string({ char: 'f', multiple: true, description: 'take the servers, CA, issuer and subject from these manifest files or folders' }),
  server: Flags.string({ multiple: true, description: 'with -f: only these servers of the manifest' }),
  all: Flags.boolean({ description: 'with -f: every due certificate (within renewBeforeDays, expired or revoked) of every server, in parallel' }),
  member: Flags.string({ description: 'sign: the member whose sign certificate is rotated INSTANCE:CLASS:CODE (with -f: default every member with one)' }),
  cert: Flags.string({ description: 'hash of the certificate to replace (default: the working one closest to expiry)' }),
  emergency: Flags.boolean({
    description:
      'compromised key: full speed, shortest waits, then cut the old certificate off (disable, unregister, delete at the central server, revoke at the CA)',
  }),
  'cut-now': Flags.boolean({ description: 'with --emergency: disable the old certificate before the new one works (takes the server off the exchange)' }),
  'i-understand-downtime': Flags.boolean({ description: 'with --cut-now --yes off a terminal: the consent --cut-now needs' }),
  adapter: Flags.string({
    options: ['server-acme', 'acme', 'command', 'manual'],
    description: 'how the CSR reaches the CA (default with -f: the manifest’s issuer)',
  }),
  ca: Flags.string({ description: 'approved CA name (default with -f: the manifest’s)' }),
  command: Flags.string({ description: 'command adapter: the CA command line ({csr}, {cert}, {usage}), run without a shell' }),
  out: Flags.string({ description: 'manual adapter: folder for the CSR (ID.csr); the runbook waits for the answer in ID.crt' }),
  'ca-timeout': Flags.integer({ default: 120, description: 'seconds the CA command or ACME order may take' }),
  ...acmeFlags,
  'cs-context': Flags.string({ description: 'central server context that approves the registration (default: the context’s centralContext)' }),
  address: Flags.string({ description: 'public address to register the new auth certificate with (default: the server’s)' }),
  subject: Flags.string({ multiple: true, description: 'CSR subject field FIELD=VALUE (repeatable)' }),
  propagation: Flags.string({
    default: 'auto',
    description:
      'how long peers get to fetch the global configuration listing the new auth certificate: a duration, or auto (two distribution intervals as the server reports them; 120 s by default in X-Road)',
  }),
  'keep-old': Flags.string({ default: 'forever', description: 'delete the replaced key this long after it is taken out of use: 0, 30m, 7d, or forever' }),
  concurrency: Flags.integer({ default: 16, description: 'rotations running at once (each server runs its own steps one after another)' }),
  timeout: Flags.integer({ default: 300, description: 'seconds one step may wait (approval, REGISTERED, OCSP)' }),
  'revoke-command': Flags.string({ description: '--emergency: a command that revokes the old certificate at the CA ({serial}, {serialHex}, {hash})' }),
};

export const configSigningFlags = {
  manifest: Flags.string({
    char: 'f',
    multiple: true,
    required: true,
    description: 'the central server and every security server that must keep verifying global configuration',
  }),
  source: Flags.string({ options: ['internal', 'external'], default: 'internal', description: 'the configuration source whose signing key changes' }),
  emergency: Flags.boolean({ description: 'compromised key: sign with the new key at once, push the re-created anchor to every server, delete the old key' }),
  'keep-old': Flags.string({ default: '0', description: 'delete the old key this long after every server verifies with the new one: 0, 30m, 7d, or forever' }),
  timeout: Flags.integer({ default: 600, description: 'seconds one step may wait (distribution, verification)' }),
  poll: Flags.string({ default: '1s', description: 'how often the servers are re-read while waiting (a duration, at least 50ms)' }),
  concurrency: Flags.integer({ default: 8, min: 1, max: 64, description: '--emergency: anchor uploads at once (each server keeps its own rate limit)' }),
};

export function parseDuration(s: string, flag: string): number | null {
  const ms = parseDurationText(s);
  if (ms === undefined) throw new UsageError(`${flag} ${s}: not a duration`, { hint: 'e.g. 0, 90s, 30m, 12h, 7d or forever (at most ten years)' });
  return ms;
}

type PublicRotation = ReturnType<typeof publicRotation>;

export function renderRotations(cmd: { print: (s: string) => void; color: (status: string, s: string) => string }, r: { rotations: PublicRotation[] }): void {
  if (!r.rotations.length) return cmd.print('No certificate is due.');
  for (const j of r.rotations) {
    const what = j.kind === 'config-signing' ? `${j.configSource.toLowerCase()} configuration signing key` : `${j.usage}${j.member ? ' ' + j.member : ''}`;
    cmd.print(`${j.id}  ${j.server}  ${j.mode} ${what}: ${cmd.color(j.status, j.status)}${j.waitingOn ? ` (waiting on ${j.waitingOn})` : ''}`);
    for (const s of j.steps) cmd.print(`  ${cmd.color(s.status, s.status.padEnd(7))} ${s.name.padEnd(16)} ${s.message ?? ''}`);
    if (j.kind === 'config-signing') {
      for (const s of j.servers) {
        const st = s.state === 'verified' ? 'done' : s.state === 'unreachable' || s.state === 'refused' ? 'failed' : 'waiting';
        const gap = s.unverifiedMs !== undefined ? `  unable to verify global configuration for at most ${(s.unverifiedMs / 1000).toFixed(1)} s` : '';
        cmd.print(`  ${s.name.padEnd(12)} ${cmd.color(st, s.state.padEnd(11))}${gap}${s.message ? `  ${s.message}` : ''}`);
      }
      if (j.anchorFile && j.servers.some((s) => s.state !== 'verified'))
        cmd.print(`  anchor to import by hand: ${j.anchorFile}; then xrdctl rotate resume ${j.id}`);
    }
    if (j.error) cmd.print(`  ${cmd.color('failed', j.error)}`);
  }
}

/** Base of rotate auth|sign|resume|abort: progress, confirmations and exit codes in one place. */
export type RotateOutput = { status: string; rotations: PublicRotation[] };

export abstract class RotationCommand<T extends typeof XrdCommand<any, any>> extends XrdCommand<T, RotateOutput> {
  static override resultSchema = rotateResultSchema;
  /** a rotation stops between journaled steps (hooks() below), never inside one */
  static override ownSignals = true;

  protected hooks(): RotateHooks {
    const f = this.flags as { yes?: boolean; 'i-understand-downtime'?: boolean };
    let interrupted = false;
    const stop = (sig: NodeJS.Signals) => {
      interrupted = true;
      this.signal = sig;
      this.out.warn('interrupted: finishing the current step, then stopping; xrdctl rotate resume continues');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return {
      onEvent: (e: RotationEvent) => {
        if (e.type === 'start') this.out.info(`${e.server} ${e.step}…`);
        else if (e.type === 'progress') this.out.info(`${e.server} ${e.step}: ${e.message}`);
        else this.out.info(`${e.server} ${e.step}: ${e.status}: ${e.message}`);
      },
      consent: (j, steps) => {
        if ('cutNow' in j && j.cutNow && !this.out.interactive && !(f.yes && f['i-understand-downtime']))
          throw new NonInteractiveError(`--cut-now takes ${j.server} off the exchange`, '--yes --i-understand-downtime');
        if (!f.yes && !this.out.interactive) throw new NonInteractiveError(`irreversible steps of ${j.id} (${steps.join(', ')})`, '--yes');
      },
      confirm: async (j, s, what) => {
        if (f.yes && (s !== 'cut-old' || f['i-understand-downtime'] || this.out.interactive)) {
          if (s !== 'cut-old' || f['i-understand-downtime']) return;
        }
        const ok = await this.out.confirmTyped(what, j.server, { flag: s === 'cut-old' ? '--yes --i-understand-downtime' : '--yes' });
        if (!ok)
          throw new UsageError(`not confirmed: ${s} of ${j.server} did not run`, {
            server: j.server,
            step: s,
            hint: `xrdctl rotate resume ${j.id} asks again`,
          });
      },
      prompt: (m) => this.out.secret(m, { flag: 'a secret reference (env:NAME or file:PATH)' }),
      warn: (m) => this.out.warn(m),
      stopped: () => interrupted,
    };
  }

  protected async issuer(id: string): Promise<JournalIssuer | undefined> {
    const f = this.flags as Record<string, any>;
    const { resolve, join } = await import('node:path');
    switch (f.adapter as string | undefined) {
      case undefined:
        return undefined;
      case 'server-acme':
        return { type: 'server-acme' };
      case 'command':
        if (!f.command) throw new UsageError('--adapter command needs --command "…"');
        return { type: 'command', command: f.command, timeoutMs: f['ca-timeout'] * 1000 };
      case 'manual':
        if (!f.out) throw new UsageError('--adapter manual needs --out FOLDER (where the CSR goes and the answer is picked up)');
        return { type: 'manual', csrFile: join(resolve(f.out), `${id}.csr`), certFile: join(resolve(f.out), `${id}.crt`) };
      default: {
        const { eabKid, eabHmacRef, httpPort, directoryUrl, caBundleFile, accountKeyFile, email } = await acmeSettings(f, f['ca-timeout'] * 1000);
        return { type: 'acme', directoryUrl, caBundleFile, accountKeyFile, email, eabKid, eabHmacRef, httpPort, timeoutMs: f['ca-timeout'] * 1000 };
      }
    }
  }

  /** rotate auth|sign: the flags as one request to the rotation service. */
  protected async start(usage: 'auth' | 'sign'): Promise<RotateResult> {
    const f = this.flags as Record<string, any>;
    const { startRotation } = await import('../services/rotate.js');
    const { parseSubjectOverrides } = await import('../certs/lifecycle.js');
    if ((f.server?.length || f.all) && !f.manifest?.length) throw new UsageError('--server and --all go with -f MANIFEST');
    if (f.adapter) await this.issuer('probe'); // flag mistakes are exit 2 before anything is contacted
    return startRotation(
      {
        usage,
        target: f.manifest?.length ? { manifest: f.manifest, servers: f.server, all: f.all } : { context: f.context, csContext: f['cs-context'] },
        member: f.member,
        cert: f.cert,
        emergency: !!f.emergency,
        cutNow: !!f['cut-now'],
        ca: f.ca,
        issuer: f.adapter ? (id: string) => this.issuer(id) : undefined,
        settings: {
          propagationMs: f.propagation === 'auto' ? null : (parseDuration(f.propagation, '--propagation') ?? null),
          keepOldMs: parseDuration(f['keep-old'], '--keep-old'),
          timeoutMs: f.timeout * 1000,
          address: f.address,
          subject: f.subject ? parseSubjectOverrides(f.subject) : undefined,
          revokeCommand: f['revoke-command'],
        },
      },
      { ...this.hooks(), concurrency: f.concurrency },
    );
  }

  /** rotate config-signing: the flags as one request to the configuration signing key service. */
  protected async configSigning(): Promise<RotateResult> {
    const f = this.flags as Record<string, any>;
    const { startConfigSigning } = await import('../services/rotate-config-signing.js');
    const poll = parseDuration(f.poll, '--poll');
    if (!poll || poll < 50) throw new UsageError(`--poll ${f.poll}: at least 50ms`);
    return startConfigSigning(
      {
        manifest: f.manifest,
        source: f.source === 'external' ? 'EXTERNAL' : 'INTERNAL',
        emergency: !!f.emergency,
        keepOldMs: parseDuration(f['keep-old'], '--keep-old'),
        timeoutMs: f.timeout * 1000,
        pollMs: poll,
        concurrency: f.concurrency,
      },
      this.hooks(),
    );
  }

  /** What an abort undid (stderr) and what it could not (warnings). */
  protected report(undone: string[], kept: string[]): void {
    for (const u of undone) this.out.info(`undone: ${u}`);
    for (const k of kept) this.out.warn(`not undone: ${k}`);
  }

  /** SIGINT or SIGTERM that stopped the rotation between steps (exit 130 or 143, like every other command) */
  private signal?: NodeJS.Signals;

  protected finish(r: RotateResult): RotateOutput {
    if (this.signal) this.exitCode = this.signal === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
    else if (r.status === 'failed') this.exitCode = r.error instanceof XrdError ? r.error.exitCode : ExitCode.FAILED;
    else if (r.status === 'waiting') this.exitCode = ExitCode.CHANGES;
    if (r.error && r.status === 'failed') this.out.warn(r.error.oneLine());
    return { status: r.status, rotations: r.rotations.map(publicRotation) };
  }

  protected override render(r: RotateOutput): void {
    const c = this.out.out;
    const color = (st: string, s: string) =>
      st === 'done' ? c.green(s) : st === 'failed' ? c.red(s) : st === 'waiting' || st === 'running' ? c.yellow(s) : c.dim(s);
    renderRotations({ print: (s) => this.out.print(s), color }, r);
  }
}
