import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { configDir } from './paths.js';
import { formatSecretRef, parseSecretRef } from './secrets.js';

export type ServerKind = 'central' | 'security';

/** A named server profile. Holds references to secrets, never their values. */
export interface Context {
  name: string;
  kind: ServerKind;
  /** base URL of the admin API, e.g. https://ss1.example.org:4000/api/v1 */
  url: string;
  /** secret reference for the API key: env:NAME | file:PATH | prompt */
  apiKey: string;
  /** SHA-256 fingerprint of the server's TLS certificate; when set it replaces CA verification */
  tlsFingerprint?: string;
  /** extra CA bundle (PEM) to verify the server with, when not pinned */
  caFile?: string;
  /** for security servers: the CS context used for approvals */
  centralContext?: string;
  /** security server token PIN reference */
  tokenPin?: string;
}

export interface ContextFile {
  current?: string;
  contexts: Record<string, Omit<Context, 'name'>>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function contextsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'contexts.json');
}

export function readContexts(env: NodeJS.ProcessEnv = process.env): ContextFile {
  const p = contextsPath(env);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new ConfigError(`${p}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    const data = JSON.parse(text) as ContextFile;
    if (!data || typeof data !== 'object' || typeof data.contexts !== 'object' || data.contexts === null) throw new Error('no contexts object');
    return data;
  } catch (e) {
    throw new ConfigError(`${p}: not a valid contexts file: ${(e as Error).message}`, { hint: 'fix or remove the file' });
  }
}

export async function writeContexts(file: ContextFile, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(contextsPath(env), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
}

export function validateUrl(url: string, what = 'url'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${what}: '${url}' is not a valid URL`, { hint: 'e.g. https://ss1.example.org:4000/api/v1' });
  }
  if (u.protocol !== 'https:') throw new ConfigError(`${what}: '${url}' must use https`, { hint: 'the admin APIs are only served over TLS' });
  if (u.search || u.hash) throw new ConfigError(`${what}: '${url}' must not have a query or fragment`);
  let path = u.pathname.replace(/\/+$/, '');
  if (path === '') path = '/api/v1';
  return `${u.protocol}//${u.host}${path}`;
}

export function normalizeContext(input: Context): Context {
  if (!NAME_RE.test(input.name)) {
    throw new ConfigError(`context name '${input.name}' is not valid`, { hint: 'letters, digits, dot, dash and underscore, at most 63' });
  }
  if (input.kind !== 'central' && input.kind !== 'security') throw new ConfigError(`kind must be central or security`);
  const ctx: Context = { name: input.name, kind: input.kind, url: validateUrl(input.url), apiKey: formatSecretRef(parseSecretRef(input.apiKey, 'api key')) };
  if (input.tlsFingerprint) ctx.tlsFingerprint = normalizeFingerprintOrThrow(input.tlsFingerprint);
  if (input.caFile) ctx.caFile = input.caFile;
  if (input.centralContext) ctx.centralContext = input.centralContext;
  if (input.tokenPin) ctx.tokenPin = formatSecretRef(parseSecretRef(input.tokenPin, 'token pin'));
  return ctx;
}

/** 'sha256:ab:cd…', 'AB:CD…' or 'abcd…' → 'AB:CD:…' (64 hex digits). */
export function normalizeFingerprintOrThrow(fp: string): string {
  const hex = fp.replace(/^sha-?256[:=]?/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new ConfigError(`TLS fingerprint '${fp}' is not a SHA-256 fingerprint`, {
      hint: 'openssl x509 -noout -fingerprint -sha256 -in admin.crt prints one',
    });
  }
  return hex.match(/../g)!.join(':');
}

export function getContext(file: ContextFile, name: string | undefined): Context {
  const n = name ?? file.current;
  if (!n) {
    throw new ConfigError('no context given and no current context', { hint: 'pass --context NAME, or run xrdctl context use NAME' });
  }
  const c = file.contexts[n];
  if (!c) {
    const names = Object.keys(file.contexts);
    throw new ConfigError(`unknown context '${n}'`, {
      hint: names.length ? `known contexts: ${names.join(', ')}` : 'add one with xrdctl context add',
    });
  }
  return { name: n, ...c };
}
