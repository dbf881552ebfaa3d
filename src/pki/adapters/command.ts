import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError, UsageError, redact } from '../../errors/index.js';

export interface SubmitContext {
  usage: 'auth' | 'sign';
  csrFormat: 'PEM' | 'DER';
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface SubmitResult {
  certificate: Buffer;
  chain?: Buffer[];
}

/** A CA behind some transport: give it a CSR, get a certificate back. */
export interface CaAdapter {
  readonly name: string;
  submit(csr: Buffer, ctx: SubmitContext): Promise<SubmitResult>;
}

/**
 * Split a command line into argv the way a POSIX shell would for quoting only (single and double
 * quotes, backslash escapes); no variables, globbing, pipes or redirections: nothing runs through a shell.
 */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let q: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === q) q = null;
      else if (ch === '\\' && q === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      q = ch;
      inArg = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) out.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += ch;
      inArg = true;
    }
  }
  if (q) throw new UsageError(`unbalanced ${q} in command: ${line}`);
  if (inArg) out.push(cur);
  return out;
}

/** Variables every CA command gets (what a program needs to run at all); nothing else is inherited. */
export const BASE_COMMAND_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SYSTEMROOT'];

/**
 * The environment of a CA command: the base variables plus those its configuration names, from
 * env. Never the rest: API keys, PINs and tokens in xrdctl's environment stay out of the CA's.
 */
export function commandEnv(passEnv: string[] = [], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...BASE_COMMAND_ENV, ...passEnv]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`'${name}' is not an environment variable name`);
    const v = env[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * The `command` adapter: runs the operator's CA command (openssl ca, EJBCA's CLI, step-ca, a site
 * script) with execa and no shell. `{csr}` in the arguments becomes a temporary file holding the CSR
 * (otherwise the CSR goes to stdin); `{cert}` becomes a file the command writes the certificate to
 * (otherwise it is read from stdout); `{usage}` becomes auth or sign. Temporary files are 0600 and removed.
 */
export class CommandAdapter implements CaAdapter {
  readonly name = 'command';
  constructor(
    private readonly argv: string[],
    /** env: extra variables set for the command; passEnv: names passed on from xrdctl's environment */
    private readonly opts: { timeoutMs?: number; cwd?: string; env?: Record<string, string>; passEnv?: string[] } = {},
  ) {
    if (!argv.length) throw new UsageError('the command adapter needs a command');
  }

  async submit(csr: Buffer, ctx: SubmitContext): Promise<SubmitResult> {
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-ca-'));
    const csrFile = join(dir, ctx.csrFormat === 'PEM' ? 'request.csr' : 'request.der');
    const certFile = join(dir, 'certificate.crt');
    try {
      writeFileSync(csrFile, csr, { mode: 0o600 });
      const usesCsrFile = this.argv.some((a) => a.includes('{csr}'));
      const usesCertFile = this.argv.some((a) => a.includes('{cert}'));
      const args = this.argv.map((a) => a.replaceAll('{csr}', csrFile).replaceAll('{cert}', certFile).replaceAll('{usage}', ctx.usage));
      const r = await runCommand(args, {
        timeoutMs: this.opts.timeoutMs,
        cwd: this.opts.cwd,
        env: { ...commandEnv(this.opts.passEnv), ...this.opts.env },
        input: usesCsrFile ? undefined : csr,
        signal: ctx.signal,
        log: ctx.log,
      });
      const out = usesCertFile ? readFileSync(certFile) : Buffer.from(r.stdout ?? '');
      if (!out.length)
        throw new NetworkError(`CA command ${args[0]} produced no certificate`, {
          step: 'ca-command',
          hint: usesCertFile ? 'it should write {cert}' : 'it should print the certificate on stdout, or write {cert}',
        });
      return { certificate: out };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Run an operator's CA command (no shell, bounded in time) and fail in one line with the last lines
 * of its stderr: the one way xrdctl runs CA commands (issuing through the adapter, revoking in an
 * emergency rotation).
 */
export async function runCommand(
  args: string[],
  o: { timeoutMs?: number; cwd?: string; env: Record<string, string>; input?: Buffer; signal?: AbortSignal; log?: (m: string) => void },
): Promise<{ stdout: Buffer }> {
  const { execa } = await import('execa');
  o.log?.(`running ${args[0]}`);
  const r = await execa(args[0]!, args.slice(1), {
    input: o.input,
    stdin: o.input ? undefined : 'ignore',
    reject: false,
    timeout: o.timeoutMs ?? 120_000,
    cwd: o.cwd,
    // a minimal environment (commandEnv) plus what the configuration names: no secrets of xrdctl's own
    env: o.env,
    extendEnv: false,
    encoding: 'buffer',
    cancelSignal: o.signal,
    stripFinalNewline: false,
  });
  if (r.timedOut) throw new NetworkError(`CA command ${args[0]} did not finish within ${(o.timeoutMs ?? 120_000) / 1000} s`, { step: 'ca-command' });
  if (r.exitCode !== 0 || r.failed) {
    const err = Buffer.from(r.stderr ?? '')
      .toString('utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .slice(-2)
      .join(' | ');
    const why = r.exitCode === undefined ? ((r as { shortMessage?: string }).shortMessage ?? 'could not run') : `exit ${r.exitCode}`;
    throw new NetworkError(`CA command ${args[0]} failed (${why})${err ? `: ${redact(err)}` : ''}`, {
      step: 'ca-command',
      hint: 'run the command by hand to see what the CA says',
    });
  }
  return { stdout: Buffer.from(r.stdout ?? '') };
}
