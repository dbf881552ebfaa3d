import type { ChalkInstance } from 'chalk';
import { ManifestErrors, NonInteractiveError, XrdError, mayHoldSecret, redact, redactValue } from '../errors/index.js';
import { colorLevelFor } from './color.js';
import { cleanData, cleanText, markedChalk, safeJson, toTerminal } from './sanitize.js';
import { renderTable, type Column } from './table.js';

/** a string as safeJson writes it inside a document (without the quotes) */
const jsonEscaped = (x: string): string => safeJson(x).slice(1, -1);

/**
 * One JSON document, secrets redacted: serialised once and scanned once; only a document that may hold a
 * secret is redacted string by string (a deep copy: half a second and a second copy in memory for the
 * 30 MB plan of a 100-server fleet).
 */
export function jsonDocument(doc: unknown, indent?: number): string {
  const text = safeJson(doc, indent);
  return mayHoldSecret(text, jsonEscaped) ? safeJson(redactValue(doc), indent) : text;
}

export { renderTable, type Column } from './table.js';
export { colorLevelFor } from './color.js';
export { cleanText, safeJson } from './sanitize.js';

/** Identity styling (no colour): chainable like chalk, so renderers need not care. */
const plain: ChalkInstance = new Proxy(((s: unknown) => String(s)) as unknown as ChalkInstance, {
  get: (_t, prop) => (prop === 'level' ? 0 : plain),
  apply: (_t, _this, args: unknown[]) => args.map(String).join(' '),
});

let chalkCtor: (typeof import('chalk'))['Chalk'] | undefined;
/** chalk is loaded only when some stream gets colour (a cold process without colour skips it). */
function chalkClass(): (typeof import('chalk'))['Chalk'] {
  if (!chalkCtor) throw new Error('chalk not preloaded: call preloadChalk() first');
  return chalkCtor;
}

/** Load chalk if any stream may be coloured; call once before constructing an Output. */
export async function preloadChalk(opts: OutputOptions = {}): Promise<void> {
  if (chalkCtor) return;
  const env = opts.env ?? process.env;
  const need =
    (!opts.json && colorLevelFor(opts.stdout ?? process.stdout, { env, noColorFlag: opts.noColor }) > 0) ||
    colorLevelFor(opts.stderr ?? process.stderr, { env, noColorFlag: opts.noColor }) > 0;
  if (need) chalkCtor = (await import('chalk')).Chalk;
}

export interface Writable {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json?: boolean;
  noColor?: boolean;
  verbose?: boolean;
  /** -q: nothing but errors (and the --json document, which was asked for) */
  quiet?: boolean;
  stdout?: Writable;
  stderr?: Writable;
  stdin?: { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export interface ProgressTask {
  title: string;
  run: (update: (status: string) => void) => Promise<unknown>;
}

let pipeGuard = false;
/**
 * A reader that closed stdout (`xrdctl … | head -1`) ends the process quietly with `code` (documented
 * in the README) rather than with an unhandled EPIPE. stderr closing early is ignored the same way.
 */
export function exitQuietlyOnClosedPipe(code: number): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(code);
      throw e;
    });
  }
}

/** An answered prompt is marked with a neutral '>' rather than a green ✔: an answer is not a success (a wrong PIN's error may follow). */
const PROMPT_THEME = { prefix: { idle: '?', done: '>' } };

/**
 * The one output layer. stdout carries the result only (a table/text for people, or exactly one
 * JSON document with --json); everything else (progress, logs, warnings, errors in human mode)
 * goes to stderr. Every string passes through secret redaction.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly out: ChalkInstance;
  readonly err: ChalkInstance;
  readonly warnings: string[] = [];
  private readonly stdout: Writable;
  private readonly stderr: Writable;
  private readonly stdin: { isTTY?: boolean };
  private readonly env: NodeJS.ProcessEnv;
  private resultWritten = false;

  constructor(opts: OutputOptions = {}) {
    this.json = !!opts.json;
    this.verbose = !!opts.verbose;
    this.quiet = !!opts.quiet && !opts.verbose;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.stdin = opts.stdin ?? process.stdin;
    this.env = opts.env ?? process.env;
    const outLevel = this.json ? 0 : colorLevelFor(this.stdout, { env: this.env, noColorFlag: opts.noColor });
    const errLevel = colorLevelFor(this.stderr, { env: this.env, noColorFlag: opts.noColor });
    const Chalk = outLevel || errLevel ? chalkClass() : undefined;
    this.out = Chalk ? markedChalk(new Chalk({ level: outLevel })) : plain;
    this.err = Chalk ? markedChalk(new Chalk({ level: errLevel })) : plain;
  }

  /** May we ask the user a question? Only with a terminal on stdin and CI unset. */
  get interactive(): boolean {
    return !!this.stdin.isTTY && !this.env.CI;
  }

  /** A human line on stdout (nothing in --json mode). */
  print(text = ''): void {
    if (this.json || this.quiet) return;
    this.stdout.write(toTerminal(redact(text)) + '\n');
  }

  /** Human lines on stdout, one per item. */
  lines(items: string[]): void {
    for (const l of items) this.print(l);
  }

  /** `key: value` lines for an object (lists joined with commas, absent values as -). */
  fields(o: object): void {
    for (const [k, v] of Object.entries(o)) this.print(`${k}: ${Array.isArray(v) ? v.join(', ') : (v ?? '-')}`);
  }

  /** A screenful for people that replaces the previous one (--watch): cleared first on a terminal only. */
  redraw(text: string): void {
    if (this.json || this.quiet) return;
    if (this.stdout.isTTY && this.env.TERM !== 'dumb') this.stdout.write('\u001b[H\u001b[2J');
    this.print(text);
  }

  table<T>(rows: T[], columns: Column<T>[]): void {
    if (this.json) return;
    if (rows.length === 0) {
      this.print(this.out.dim('(none)'));
      return;
    }
    this.print(renderTable(rows, columns, (h) => this.out.bold(h)));
  }

  /** Progress and information for people: always stderr (stdout stays the result's, also with --json). */
  info(text: string): void {
    if (this.quiet) return;
    // one message, one line: a newline inside (from a server) cannot forge the next one
    this.stderr.write(toTerminal(redact(text), { oneLine: true }) + '\n');
  }

  debug(text: string): void {
    if (!this.verbose) return;
    this.stderr.write(toTerminal(this.err.dim(redact(text)), { oneLine: true }) + '\n');
  }

  /** One HTTP exchange (--verbose, XRDCTL_DEBUG=http) on stderr: method, path, status, time, never a header or a body. */
  trace(line: string): void {
    this.stderr.write(toTerminal(this.err.dim(redact(line)), { oneLine: true }) + '\n');
  }

  /** The operator said no: nothing changed (stderr; with --json also the one document, changed: false). */
  cancelled(message: string): void {
    if (!this.quiet) this.stderr.write(toTerminal(redact(message), { oneLine: true }) + '\n');
    if (this.json && !this.resultWritten) {
      this.resultWritten = true;
      this.stdout.write(safeJson({ changed: false, cancelled: true }, 2) + '\n');
    }
  }

  /** Warnings always reach stderr and are collected into the JSON result. */
  warn(text: string): void {
    const t = redact(text);
    this.warnings.push(t);
    if (this.quiet) return;
    this.stderr.write(toTerminal(`${this.err.yellow('warning:')} ${t}`, { oneLine: true }) + '\n');
  }

  /** The command's result: exactly one JSON document in --json mode, otherwise the human renderer. */
  result<T extends object>(data: T, human?: (data: T) => void, opts: { multiline?: readonly string[] } = {}): void {
    if (this.resultWritten) throw new Error('result written twice');
    this.resultWritten = true;
    if (this.json) {
      const doc = this.warnings.length ? { ...data, warnings: this.warnings } : data;
      this.stdout.write(jsonDocument(doc, 2) + '\n');
      return;
    }
    // renderers interpolate the data into lines: every string they get is clean and one line
    human?.(cleanData(data, new Set(opts.multiline ?? [])));
  }

  /** Render an error: one line (+hint) on stderr; in --json mode also one JSON document on stdout. */
  error(e: XrdError): void {
    const label = this.err.red.bold('error:');
    // several problems (a manifest's): each line with its own hint, as --json has them, then how many
    const parts: XrdError[] = e instanceof ManifestErrors && e.errors.length ? e.errors : [e];
    for (const p of parts) {
      this.stderr.write(
        toTerminal(
          p
            .oneLine()
            .split('\n')
            .map((l) => `${label} ${l}`)
            .join('\n'),
        ) + '\n',
      );
      if (p.hint) this.stderr.write(toTerminal(`${parts.length > 1 ? '  ' : ''}${this.err.dim('hint:')} ${cleanText(p.hint, { oneLine: true })}`) + '\n');
    }
    if (parts.length > 1) this.stderr.write(toTerminal(`${parts.length} problems found`) + '\n');
    if (this.verbose) {
      const stack = redact(String(e.stack ?? ''));
      this.stderr.write(toTerminal(this.err.dim(stack)) + '\n');
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof Error && cause.stack) this.stderr.write(toTerminal(this.err.dim('caused by: ' + redact(cause.stack))) + '\n');
    }
    if (this.json && !this.resultWritten) {
      this.resultWritten = true;
      const doc: Record<string, unknown> = { error: e.toJSON() };
      if (this.warnings.length) doc.warnings = this.warnings;
      this.stdout.write(jsonDocument(doc, 2) + '\n');
    }
  }

  /**
   * Run steps with progress. On a TTY (and not --json): listr2's live renderer on stderr;
   * otherwise one plain line per step on stderr. Steps run in order; the first failure stops.
   */
  async steps(tasks: ProgressTask[]): Promise<void> {
    const live = !this.json && !this.quiet && !!this.stderr.isTTY && !this.env.CI && this.env.TERM !== 'dumb';
    if (!live) {
      for (const t of tasks) {
        this.info(`${this.err.cyan('→')} ${t.title}`);
        await t.run((s) => this.debug(`  ${t.title}: ${s}`));
      }
      return;
    }
    const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
    const stderr = this.stderr as NodeJS.WriteStream;
    const list = new Listr(
      tasks.map((t) => ({
        title: cleanText(redact(t.title), { oneLine: true }),
        task: async (_ctx: unknown, task: { output: string }) => {
          await t.run((s) => {
            task.output = cleanText(redact(s), { oneLine: true });
          });
        },
      })),
      {
        concurrent: false,
        exitOnError: true,
        // SIGINT is the command's (stop after the request in flight, exit 130), not listr's (exit 127)
        registerSignalListeners: false,
        // listr2 writes to stdout by default: stdout is reserved for the result; the error is printed once, by error()
        rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) }), showErrorMessage: false },
      },
    );
    await list.run();
  }

  /**
   * Progress of parallel work on named lanes (servers). On a terminal: listr2, one live row per lane.
   * Otherwise: one line per message on stderr, or JSON lines with --json (stdout stays the result's).
   */
  async lanes<T>(
    names: string[],
    fn: (lane: { update(name: string, msg: string): void; event(e: object): void; end(name: string, error?: string): void }) => Promise<T>,
  ): Promise<T> {
    const live = !this.json && !this.quiet && !!this.stderr.isTTY && !this.env.CI && this.env.TERM !== 'dumb' && names.length > 0;
    if (!live) {
      return fn({
        update: (n, m) => {
          if (!this.json) this.info(`${n}: ${m}`);
        },
        event: (e) => {
          if (this.json) this.stderr.write(jsonDocument(e) + '\n');
        },
        end: (n, err) => {
          if (!this.json) this.info(err ? `${n}: failed: ${err}` : `${n}: done`);
        },
      });
    }
    const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
    const stderr = this.stderr as NodeJS.WriteStream;
    const lanes = new Map<string, { setOutput?: (m: string) => void; done: (err?: string) => void; pending?: string; wait: Promise<string | undefined> }>();
    for (const n of names) {
      let done!: (err?: string) => void;
      const wait = new Promise<string | undefined>((r) => (done = r));
      lanes.set(n, { done, wait });
    }
    const list = new Listr(
      names.map((n) => ({
        title: cleanText(n, { oneLine: true }),
        task: async (_c: unknown, task: { output: string; title: string }) => {
          const l = lanes.get(n)!;
          l.setOutput = (m) => (task.output = cleanText(redact(m), { oneLine: true }));
          if (l.pending) task.output = l.pending;
          const err = await l.wait;
          if (err) throw new Error(cleanText(redact(err), { oneLine: true }));
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) }), collapseErrors: false },
      },
    );
    const running = list.run().catch(() => undefined);
    try {
      return await fn({
        update: (n, m) => {
          const l = lanes.get(n);
          if (!l) return;
          if (l.setOutput) l.setOutput(m);
          else l.pending = m;
        },
        event: () => {},
        end: (n, err) => lanes.get(n)?.done(err),
      });
    } finally {
      for (const l of lanes.values()) l.done();
      await running;
    }
  }

  /** Ask yes/no. Never prompts off a terminal: fails naming the flag instead. Destructive → default no. */
  async confirm(message: string, opts: { flag: string; default?: boolean }): Promise<boolean> {
    if (!this.interactive) throw new NonInteractiveError(`confirmation (${message})`, opts.flag);
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: opts.default ?? false, theme: PROMPT_THEME }, { output: this.stderr as NodeJS.WritableStream });
  }

  /**
   * Confirm an irreversible step by typing a name (the server's or the object's), as terraform wants
   * `yes`: anything else is a no. Never prompts off a terminal: fails naming the flag instead.
   */
  async confirmTyped(message: string, expected: string, opts: { flag: string }): Promise<boolean> {
    if (!this.interactive) throw new NonInteractiveError(`confirmation (${message})`, opts.flag);
    const { input } = await import('@inquirer/prompts');
    const answer = await input({ message: `${message}\n  type ${expected} to go on:`, theme: PROMPT_THEME }, { output: this.stderr as NodeJS.WritableStream });
    return answer.trim() === expected;
  }

  /** Ask for a secret (hidden input). Never prompts off a terminal. */
  async secret(message: string, opts: { flag: string }): Promise<string> {
    if (!this.interactive) throw new NonInteractiveError(message, opts.flag);
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: '*', theme: PROMPT_THEME }, { output: this.stderr as NodeJS.WritableStream });
  }
}
