import { redact } from './redact.js';

export { redact, redactValue, mayHoldSecret, registerSecret, clearSecrets, REDACTED } from './redact.js';

/** Stable exit codes: documented in the README, asserted by tests. Never renumber. */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  INVALID_INPUT: 2,
  AUTH: 3,
  CHANGES: 4,
  SAFETY: 5,
  /** stdout was closed by its reader (a pipe into head): quiet, like a shell's 128 + SIGPIPE */
  PIPE: 141,
  /** SIGINT (Ctrl-C): stopped after the request in flight */
  INTERRUPTED: 130,
  /** SIGTERM: stopped after the request in flight */
  TERMINATED: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorJson {
  code: string;
  message: string;
  exitCode: number;
  hint?: string;
  server?: string;
  step?: string;
  file?: string;
  line?: number;
  col?: number;
  path?: string;
  status?: number;
  apiCode?: string;
  metadata?: string[];
  correlationId?: string;
}

export interface XrdErrorOptions {
  hint?: string;
  server?: string;
  step?: string;
  cause?: unknown;
}

/** Root of the one error hierarchy. Every error the CLI shows is an XrdError. */
export class XrdError extends Error {
  /** machine-readable kind, e.g. 'usage', 'manifest', 'api' */
  readonly code: string = 'failed';
  readonly exitCode: number = ExitCode.FAILED;
  hint?: string;
  server?: string;
  step?: string;

  constructor(message: string, opts: XrdErrorOptions = {}) {
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint === undefined ? undefined : redact(opts.hint);
    this.server = opts.server;
    this.step = opts.step;
  }

  /** "where" prefix: server and step, or file:line:col path. */
  where(): string {
    const parts: string[] = [];
    if (this.server) parts.push(this.server);
    if (this.step) parts.push(`step ${this.step}`);
    return parts.join(' ');
  }

  /** One line: what and where. */
  oneLine(): string {
    const w = this.where();
    return redact((w ? `${w}: ` : '') + this.message.replace(/\s*\n\s*/g, ' '));
  }

  toJSON(): ErrorJson {
    const j: ErrorJson = { code: this.code, message: this.oneLine(), exitCode: this.exitCode };
    if (this.hint) j.hint = this.hint;
    if (this.server) j.server = this.server;
    if (this.step) j.step = this.step;
    return j;
  }
}

/** Wrong flags, arguments, or a missing answer that cannot be prompted for. */
export class UsageError extends XrdError {
  override readonly code: string = 'usage';
  override readonly exitCode: number = ExitCode.INVALID_INPUT;
}

/** A prompt was needed but stdin is not a TTY (or CI is set). */
export class NonInteractiveError extends UsageError {
  override readonly code = 'non_interactive';
  constructor(what: string, flag: string) {
    super(`${what} is needed but no prompt can be shown (stdin is not a terminal or CI is set)`, {
      hint: `pass ${flag}`,
    });
  }
}

/** Local configuration: contexts, config files. */
export class ConfigError extends UsageError {
  override readonly code: string = 'config';
}

/** A file xrdctl was given or writes cannot be used as it is (special file, too large, symlink, unsafe mode). */
export class FileError extends UsageError {
  override readonly code = 'file';
  readonly file: string;
  /** the system's error code (ENOENT, EACCES, …) when the file system refused */
  readonly errno?: string;
  constructor(file: string, message: string, opts: XrdErrorOptions & { errno?: string } = {}) {
    super(message, opts);
    this.file = file;
    this.errno = opts.errno;
  }
  override where(): string {
    return this.file;
  }
  override toJSON(): ErrorJson {
    return { ...super.toJSON(), file: this.file };
  }
}

/** A secret reference (env:, file:, prompt) that cannot be resolved. The secret value is never in the message. */
export class SecretError extends UsageError {
  override readonly code = 'secret';
}

export interface SourcePosition {
  file: string;
  line?: number;
  col?: number;
  /** JSON-path-like location inside the document, e.g. securityServers[0].clients[2].id */
  path?: string;
}

/** Manifest and input-file problems, always with file:line:col. */
export class ManifestError extends UsageError {
  override readonly code = 'manifest';
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  readonly path?: string;

  constructor(pos: SourcePosition, message: string, opts: XrdErrorOptions = {}) {
    super(message, opts);
    this.file = pos.file;
    this.line = pos.line;
    this.col = pos.col;
    this.path = pos.path;
  }

  override where(): string {
    let w = this.file;
    if (this.line !== undefined) w += `:${this.line}`;
    if (this.line !== undefined && this.col !== undefined) w += `:${this.col}`;
    if (this.path) w += ` ${this.path}`;
    return w;
  }

  override toJSON(): ErrorJson {
    return { ...super.toJSON(), file: this.file, line: this.line, col: this.col, path: this.path };
  }
}

/** Several input errors reported in one run (validate shows all of them). */
export class ManifestErrors extends UsageError {
  override readonly code = 'manifest';
  readonly errors: ManifestError[];
  constructor(errors: ManifestError[]) {
    super(errors.length === 1 ? errors[0]!.oneLine() : `${errors.length} problems found:\n${errors.map((e) => e.oneLine()).join('\n')}`);
    this.errors = errors;
  }
  override oneLine(): string {
    return this.errors.map((e) => e.oneLine()).join('\n');
  }
  override toJSON(): ErrorJson & { errors: ErrorJson[] } {
    return { ...super.toJSON(), message: `${this.errors.length} problem(s) found`, errors: this.errors.map((e) => e.toJSON()) };
  }
}

export interface ApiErrorOptions extends XrdErrorOptions {
  status?: number;
  apiCode?: string;
  metadata?: string[];
  warnings?: { code: string; metadata?: string[] }[];
  correlationId?: string;
  method?: string;
  url?: string;
}

/** A server answered with an error (X-Road ErrorInfo parsed). */
export class ApiError extends XrdError {
  override readonly code: string = 'api';
  override readonly exitCode: number = ExitCode.FAILED;
  readonly status?: number;
  readonly apiCode?: string;
  readonly metadata?: string[];
  readonly warnings?: { code: string; metadata?: string[] }[];
  readonly correlationId?: string;

  constructor(message: string, opts: ApiErrorOptions = {}) {
    super(message, opts);
    this.status = opts.status;
    this.apiCode = opts.apiCode;
    this.metadata = opts.metadata?.map((m) => redact(String(m)));
    this.warnings = opts.warnings;
    this.correlationId = opts.correlationId;
  }

  override toJSON(): ErrorJson {
    const j = super.toJSON();
    if (this.status !== undefined) j.status = this.status;
    if (this.apiCode) j.apiCode = this.apiCode;
    if (this.metadata?.length) j.metadata = this.metadata;
    if (this.correlationId) j.correlationId = this.correlationId;
    return j;
  }
}

/** 401/403: the API key was refused or lacks a role. */
export class AuthError extends ApiError {
  override readonly code = 'auth';
  override readonly exitCode: number = ExitCode.AUTH;
}

/** TLS verification failed (pin mismatch, untrusted CA, hostname). */
export class TlsError extends XrdError {
  override readonly code = 'tls';
  override readonly exitCode: number = ExitCode.AUTH;
}

/** Could not reach the server, or it hung up / timed out. */
export class NetworkError extends XrdError {
  override readonly code: string = 'network';
}

export class TimeoutError extends NetworkError {
  override readonly code = 'timeout';
}

/** The server's state does not allow the step (e.g. 409, or the plan drifted). */
export class ConflictError extends XrdError {
  override readonly code = 'conflict';
}

/** Refused because the step would leave a server without a working auth or sign certificate. */
export class SafetyError extends XrdError {
  override readonly code = 'safety';
  override readonly exitCode: number = ExitCode.SAFETY;
}

/** SIGINT or SIGTERM arrived: the HTTP layer sends no further request; a rerun continues (every step re-reads). */
export class InterruptedError extends XrdError {
  override readonly code = 'interrupted';
  override readonly exitCode: number;
  constructor(signal: NodeJS.Signals, at?: string) {
    super(`interrupted${at ? ` at ${at}` : ''}; rerun to continue`, {
      hint: 'every step re-reads the server first, so running the same command again finishes the job',
    });
    this.exitCode = signal === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
  }
}

/** Normalise anything thrown into an XrdError (unknown errors keep their cause for --verbose). */
export function toXrdError(err: unknown): XrdError {
  if (err instanceof XrdError) return err;
  const e = err as { code?: string; message?: string } | undefined;
  if (e && typeof e === 'object' && e.code === 'ENOENT') {
    return new UsageError(e.message ?? 'file not found', { cause: err });
  }
  const msg = e && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(err);
  return new XrdError(`internal error: ${msg}`, {
    cause: err,
    hint: 'run again with --verbose for the stack trace, and report it',
  });
}
