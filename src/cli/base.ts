import { Command, Flags } from './oclif.js';
import type { Interfaces } from '@oclif/core';
import type { ConnectOptions } from '../api/connect.js';
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { getContext, readContexts, type Context } from '../config/contexts.js';
import { ExitCode, InterruptedError, NonInteractiveError, UsageError, XrdError, toXrdError } from '../errors/index.js';
import { httpTraceWanted, requestStop, setHttpTrace, stopRequested, stoppedAt } from '../http/process.js';
import { findUnsafeChar, identifierProblem, preview, type IdKind } from '../input/text.js';
import { Output, exitQuietlyOnClosedPipe, preloadChalk } from '../output/index.js';
import type { JsonSchema } from './schema.js';

export type BaseFlags = Interfaces.InferredFlags<(typeof XrdCommand)['baseFlags']>;
export type CmdFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof XrdCommand)['baseFlags'] & T['flags']>;
export type CmdArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Base of every xrdctl command. A command parses its flags, calls src/, and returns a typed
 * result; this class renders it (human or --json), maps errors to the stable exit codes, and
 * closes connections. Commands never print directly and never talk HTTP themselves.
 */
export abstract class XrdCommand<T extends typeof Command, R extends object = object> extends Command {
  static override enableJsonFlag = false;

  /** Flags and arguments that hold X-Road identifiers, checked before anything runs (a flag named client is by default). */
  static idInputs: Record<string, IdKind> = {};

  /** Result fields that are text of several lines the command itself made (a completion script): kept multi-line for render(); every other string reaches render() as one clean line. */
  static multilineFields: readonly string[] = [];

  /** The command handles SIGINT/SIGTERM itself (sandbox start in the foreground, rotations stop between journaled steps). */
  static ownSignals = false;

  /** JSON Schema of the --json result (a public contract; snapshotted in test/snapshots). */
  static resultSchema: JsonSchema = { type: 'object' };

  static override baseFlags = {
    json: Flags.boolean({ description: 'Print one JSON document on stdout (progress and logs go to stderr).', helpGroup: 'GLOBAL' }),
    context: Flags.string({
      char: 'c',
      description: 'Context (server profile) to use; default: the current context.',
      env: 'XRDCTL_CONTEXT',
      helpGroup: 'GLOBAL',
    }),
    yes: Flags.boolean({ char: 'y', description: 'Answer yes to confirmations (needed off a terminal).', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({ description: 'Do not colour output (NO_COLOR is honoured too).', helpGroup: 'GLOBAL' }),
    verbose: Flags.boolean({
      char: 'v',
      description:
        'Show debug output, every HTTP request and answer (method, path, status, time; secrets redacted) and stack traces of errors. XRDCTL_DEBUG=http traces the requests alone.',
      helpGroup: 'GLOBAL',
    }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Print nothing but errors (a --json document is still printed).',
      helpGroup: 'GLOBAL',
      exclusive: ['verbose'],
    }),
  };

  protected flags!: CmdFlags<T>;
  protected args!: CmdArgs<T>;
  protected out!: Output;
  /** all positional arguments (for commands with strict = false that take several files) */
  protected positional: string[] = [];
  /** set by a command to exit non-zero without an error (e.g. plan --detailed-exitcode) */
  protected exitCode?: number;
  private closers: (() => void)[] = [];

  /** Do the work; return the result (rendered by render()). */
  protected abstract execute(): Promise<R>;

  /** Human rendering of the result on stdout. */
  protected render(_result: R): void {}

  /** Exit code for an error (health overrides this with the monitoring-plugin convention). */
  protected exitCodeFor(err: XrdError): number {
    return err.exitCode;
  }

  override async run(): Promise<void> {
    const argv = this.argv;
    const dd = argv.indexOf('--');
    const pre = dd === -1 ? argv : argv.slice(0, dd);
    const early = {
      json: pre.includes('--json'),
      noColor: pre.includes('--no-color'),
      verbose: pre.includes('--verbose') || pre.includes('-v'),
      quiet: pre.includes('--quiet') || pre.includes('-q'),
    };
    await preloadChalk(early);
    this.out = new Output(early);
    exitQuietlyOnClosedPipe(ExitCode.PIPE);
    const ctor0 = this.ctor as unknown as typeof XrdCommand;
    const onSignal = (sig: NodeJS.Signals) => {
      // a second signal does not wait: the operator means it
      if (stopRequested()) process.exit(sig === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED);
      requestStop(sig);
      this.out.warn(`${sig}: finishing the request in flight, then stopping (again to stop at once)`);
    };
    if (!ctor0.ownSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    try {
      const ctor = this.ctor as unknown as typeof XrdCommand;
      const parsed = await this.parse({ flags: ctor.flags, baseFlags: XrdCommand.baseFlags, args: ctor.args, strict: ctor.strict });
      this.flags = parsed.flags as CmdFlags<T>;
      this.args = parsed.args as CmdArgs<T>;
      this.positional = (parsed.argv as unknown[]).map(String);
      checkInputs(parsed.flags as Record<string, unknown>, parsed.args as Record<string, unknown>, this.positional, { ...DEFAULT_ID_INPUTS, ...ctor.idInputs });
      this.out = new Output({ json: this.flags.json, noColor: this.flags['no-color'], verbose: this.flags.verbose, quiet: this.flags.quiet });
      if (this.flags.verbose || httpTraceWanted()) setHttpTrace((l) => this.out.trace(l));
      const result = await this.execute();
      this.out.result(result, (r) => this.render(r), { multiline: ctor.multilineFields });
      if (this.exitCode !== undefined) process.exitCode = this.exitCode;
      const sig = stopRequested();
      if (sig && !ctor.ownSignals) this.fail(new InterruptedError(sig, stoppedAt()));
    } catch (e) {
      if (e instanceof Declined) {
        this.out.cancelled(e.message);
        process.exitCode = ExitCode.OK;
      } else {
        const sig = ctor0.ownSignals ? undefined : stopRequested();
        // whatever failed after the signal failed because of it: one message, the signal's exit code
        this.fail(sig ? new InterruptedError(sig, stoppedAt()) : normalizeError(e));
      }
    } finally {
      setHttpTrace(undefined);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const c of this.closers) {
        try {
          c();
        } catch {
          /* closing is best effort */
        }
      }
    }
  }

  private fail(err: XrdError): void {
    this.out.error(err);
    process.exitCode = err instanceof InterruptedError ? err.exitCode : this.exitCodeFor(err);
  }

  /** SIGINT or SIGTERM arrived: services stop starting new work (the HTTP layer already refuses new requests). */
  protected get stopping(): boolean {
    return !!stopRequested();
  }

  protected connectOptions(): ConnectOptions {
    return {
      prompt: (m) => this.out.secret(m, { flag: 'a secret reference (env:NAME or file:PATH) in the context' }),
      warn: (m) => this.out.warn(m),
    };
  }

  protected context(name?: string): Context {
    return getContext(readContexts(), name ?? this.flags.context);
  }

  /** The central server for `cs …`: the context itself, or a security server context's centralContext. */
  protected centralContext(): Context {
    const file = readContexts();
    const ctx = getContext(file, this.flags.context);
    if (ctx.kind === 'security' && ctx.centralContext) return getContext(file, ctx.centralContext);
    return ctx;
  }

  protected async securityServer(ctx: Context = this.context()): Promise<SecurityServerApi> {
    const { connectSecurityServer } = await import('../api/connect.js');
    const api = await connectSecurityServer(ctx, this.connectOptions());
    this.closers.push(() => api.http.close());
    return api;
  }

  protected async centralServer(ctx: Context): Promise<CentralServerApi> {
    const { connectCentralServer } = await import('../api/connect.js');
    const api = await connectCentralServer(ctx, this.connectOptions());
    this.closers.push(() => api.http.close());
    return api;
  }

  /** Register cleanup (e.g. closing a client made outside the helpers above). */
  protected onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  /** Confirm a reversible step: --yes, or y/N on a terminal (default no), or an error naming --yes. "No" changes nothing and exits 0. */
  protected async confirm(message: string): Promise<void> {
    if (this.flags.yes) return;
    const ok = await this.out.confirm(message, { flag: '--yes' });
    if (!ok) throw new Declined();
  }

  /**
   * Confirm an irreversible step (unregister, delete, prune, --force past a safety refusal): --yes,
   * or on a terminal the operator types `name` (the server or the object); anything else changes nothing.
   */
  protected async confirmIrreversible(message: string, name: string): Promise<void> {
    if (this.flags.yes) return;
    if (!this.out.interactive) throw new NonInteractiveError(`confirmation (${message})`, '--yes');
    const ok = await this.out.confirmTyped(message, name, { flag: '--yes' });
    if (!ok) throw new Declined(`not confirmed (the answer was not ${name})`);
  }
}

/** The operator answered no: nothing was changed, which is not an error (exit 0). */
class Declined extends Error {
  constructor(why = 'not confirmed') {
    super(`${why}: nothing changed`);
  }
}

const DEFAULT_ID_INPUTS: Record<string, IdKind> = { client: 'client' };

/**
 * Input hygiene at the edge, for every command: no flag or argument may hold a control, invisible
 * or bidirectional character, and identifiers follow X-Road's rules. One line, exit 2, before any
 * file is read or any request is sent.
 */
function checkInputs(flags: Record<string, unknown>, args: Record<string, unknown>, positional: string[], ids: Record<string, IdKind>): void {
  const check = (label: string, name: string, v: unknown) => {
    for (const s of Array.isArray(v) ? v : [v]) {
      if (typeof s !== 'string') continue;
      const bad = findUnsafeChar(s);
      if (bad)
        throw new UsageError(`${label} '${preview(s)}' contains ${bad.label} at character ${bad.index + 1}`, {
          hint: 'type the value again; invisible and control characters are refused',
        });
      const kind = ids[name];
      const p = kind ? identifierProblem(s, kind) : undefined;
      if (p) throw new UsageError(`${label} '${preview(s)}': ${p}`, { hint: 'X-Road identifiers have no : ; / \\ % or whitespace inside a part' });
    }
  };
  for (const [k, v] of Object.entries(flags)) check(`--${k}`, k, v);
  for (const [k, v] of Object.entries(args)) check(`argument ${k}`, k, v);
  for (const v of positional) check('argument', '', v);
}

/** oclif's own parse errors (unknown flag, missing arg) become UsageError with exit 2. */
function normalizeError(e: unknown): XrdError {
  if (e instanceof XrdError) return e;
  // Ctrl-C at a prompt (inquirer reads the terminal raw, so no SIGINT arrives): an interruption
  if (e instanceof Error && e.name === 'ExitPromptError') return new InterruptedError('SIGINT', 'the prompt');
  const anyE = e as { oclif?: { exit?: number }; message?: string; name?: string };
  if (anyE && typeof anyE === 'object' && anyE.oclif && anyE.message) {
    const msg = anyE.message
      .split('\n')
      .filter((l) => l.trim() && !/^See more help/.test(l))
      .map((l) => l.trim())
      .join(' ');
    return new UsageError(msg, { hint: 'see --help' });
  }
  return toXrdError(e);
}

export { ExitCode };
