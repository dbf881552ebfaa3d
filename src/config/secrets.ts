import { statSync } from 'node:fs';
import { FileError, SecretError, registerSecret } from '../errors/index.js';
import { READ_LIMITS, readBoundedText } from '../fs/files.js';

/**
 * A reference to a secret, never the secret itself:
 *   'env:NAME'  | { env: 'NAME' }   the value of an environment variable
 *   'file:PATH' | { file: 'PATH' }  the first line of a file (trailing newline dropped)
 *   'prompt'                        asked for interactively (only on a terminal)
 */
export type SecretRef = string | { env: string } | { file: string } | { prompt: true };

export interface ParsedSecretRef {
  kind: 'env' | 'file' | 'prompt';
  name: string;
}

export function parseSecretRef(ref: SecretRef, what = 'secret'): ParsedSecretRef {
  if (typeof ref === 'object' && ref !== null) {
    if ('env' in ref && typeof ref.env === 'string' && ref.env) return { kind: 'env', name: ref.env };
    if ('file' in ref && typeof ref.file === 'string' && ref.file) return { kind: 'file', name: ref.file };
    if ('prompt' in ref) return { kind: 'prompt', name: '' };
  }
  if (typeof ref === 'string') {
    if (ref === 'prompt') return { kind: 'prompt', name: '' };
    const m = /^(env|file):(.+)$/.exec(ref);
    if (m) return { kind: m[1] as 'env' | 'file', name: m[2]! };
  }
  // Never echo the value: it may be a secret written inline by mistake.
  throw new SecretError(`${what}: not a secret reference`, {
    hint: 'use env:NAME, file:PATH or prompt (secrets are never written inline)',
  });
}

export function formatSecretRef(ref: ParsedSecretRef): string {
  return ref.kind === 'prompt' ? 'prompt' : `${ref.kind}:${ref.name}`;
}

export interface ResolveOptions {
  what: string;
  env?: NodeJS.ProcessEnv;
  /** how to ask when the reference is 'prompt' */
  prompt?: (message: string) => Promise<string>;
  warn?: (msg: string) => void;
}

/** Resolve a secret reference to its value and register the value for redaction. */
export async function resolveSecret(ref: SecretRef, opts: ResolveOptions): Promise<string> {
  const p = parseSecretRef(ref, opts.what);
  const env = opts.env ?? process.env;
  let value: string;
  if (p.kind === 'env') {
    const v = env[p.name];
    if (v === undefined || v === '') {
      throw new SecretError(`${opts.what}: environment variable ${p.name} is not set`, {
        hint: `export ${p.name}=… or point the reference at a file (file:PATH)`,
      });
    }
    value = v;
  } else if (p.kind === 'file') {
    try {
      value = readBoundedText(p.name, { maxBytes: READ_LIMITS.secret, what: 'secret file' });
    } catch (e) {
      // never the content; the path and why only
      const why = e instanceof FileError ? (e.errno ?? e.message) : ((e as NodeJS.ErrnoException).code ?? 'error');
      throw new SecretError(`${opts.what}: cannot read secret file ${p.name}: ${why}`, {
        hint: 'point the reference at a regular file holding the secret on its first line (mode 0600)',
      });
    }
    const st = statSync(p.name);
    value = value.split(/\r?\n/)[0] ?? '';
    if (!value) throw new SecretError(`${opts.what}: secret file ${p.name} is empty`);
    if ((st.mode & 0o077) !== 0 && opts.warn) {
      opts.warn(`secret file ${p.name} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    }
  } else {
    if (!opts.prompt) throw new SecretError(`${opts.what}: a prompt is needed but none is possible`);
    value = await opts.prompt(`${opts.what}:`);
    if (!value) throw new SecretError(`${opts.what}: empty answer`);
  }
  registerSecret(value);
  return value;
}
