import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, FileError } from '../errors/index.js';
import { READ_LIMITS, checkPrivate, readBoundedText, withFileLock, writeFileSafe } from '../fs/files.js';
import { preview } from '../input/text.js';
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
  /** keyed by context name: a null-prototype object, so 'toString' or '__proto__' is only a context if one was added */
  contexts: Record<string, Omit<Context, 'name'>>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function contextsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'contexts.json');
}

/**
 * Read contexts.json: a regular file of bounded size, in a folder and file nobody else can write
 * (as ssh checks its config), every entry checked, keyed by a null-prototype object.
 */
export function readContexts(env: NodeJS.ProcessEnv = process.env): ContextFile {
  const p = contextsPath(env);
  checkPrivate(configDir(env), 'the config folder');
  checkPrivate(p, 'the contexts file');
  let text: string;
  try {
    text = readBoundedText(p, { maxBytes: READ_LIMITS.contexts, what: 'contexts file' });
  } catch (e) {
    if (e instanceof FileError && e.errno === 'ENOENT') return { contexts: Object.create(null) as ContextFile['contexts'] };
    throw e;
  }
  return parseContexts(text, p);
}

/** contexts.json text → a checked ContextFile (exported for the fuzz tests). */
export function parseContexts(text: string, p: string): ContextFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${p}: not a valid contexts file: ${preview((e as Error).message, 120)}`, { hint: 'fix or remove the file' });
  }
  const bad = (why: string) => new ConfigError(`${p}: not a valid contexts file: ${why}`, { hint: 'fix or remove the file' });
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('not a JSON object');
  const d = data as Record<string, unknown>;
  if (!d.contexts || typeof d.contexts !== 'object' || Array.isArray(d.contexts)) throw bad('no contexts object');
  if (d.current !== undefined && typeof d.current !== 'string') throw bad('current must be a context name');
  const contexts = Object.create(null) as ContextFile['contexts'];
  const entries = Object.entries(d.contexts as Record<string, unknown>);
  if (entries.length > 10_000) throw bad(`${entries.length} contexts; at most 10000`);
  for (const [name, raw] of entries) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`context '${preview(name)}' is not an object`);
    const r = raw as Record<string, unknown>;
    for (const k of ['kind', 'url', 'apiKey', 'tlsFingerprint', 'caFile', 'centralContext', 'tokenPin']) {
      if (r[k] !== undefined && typeof r[k] !== 'string') throw bad(`context '${preview(name)}': ${k} must be a string`);
    }
    try {
      const { name: _n, ...rest } = normalizeContext({ ...(r as unknown as Context), name });
      contexts[name] = rest;
    } catch (e) {
      throw bad(`context '${preview(name)}': ${(e as Error).message}`);
    }
  }
  const file: ContextFile = { contexts };
  if (typeof d.current === 'string') file.current = d.current;
  return file;
}

export function writeContexts(file: ContextFile, env: NodeJS.ProcessEnv = process.env): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir, 'the config folder');
  writeFileSafe(contextsPath(env), JSON.stringify({ ...file, contexts: { ...file.contexts } }, null, 2) + '\n', { overwrite: true, what: 'contexts file' });
}

/**
 * Read-modify-write contexts.json under a lock: parallel `context add`s all survive. The lock is
 * broken when its process is gone or it is older than 30 s; waiting for it is bounded (10 s).
 */
export async function updateContexts<T>(env: NodeJS.ProcessEnv, fn: (file: ContextFile) => T): Promise<T> {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir, 'the config folder');
  return withFileLock(`${contextsPath(env)}.lock`, () => {
    const file = readContexts(env);
    const r = fn(file);
    writeContexts(file, env);
    return r;
  });
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
  if (typeof input.name !== 'string' || !NAME_RE.test(input.name)) {
    throw new ConfigError(`context name '${preview(String(input.name))}' is not valid`, { hint: 'letters, digits, dot, dash and underscore, at most 63' });
  }
  if (input.kind !== 'central' && input.kind !== 'security') throw new ConfigError(`kind must be central or security`);
  const ctx: Context = { name: input.name, kind: input.kind, url: validateUrl(input.url), apiKey: formatSecretRef(parseSecretRef(input.apiKey, 'api key')) };
  if (input.tlsFingerprint) ctx.tlsFingerprint = normalizeFingerprintOrThrow(input.tlsFingerprint);
  if (input.caFile) ctx.caFile = input.caFile;
  if (input.centralContext) {
    if (!NAME_RE.test(input.centralContext)) throw new ConfigError(`central context name '${preview(input.centralContext)}' is not valid`);
    ctx.centralContext = input.centralContext;
  }
  if (input.tokenPin) ctx.tokenPin = formatSecretRef(parseSecretRef(input.tokenPin, 'token pin'));
  return ctx;
}

/**
 * The one fingerprint normaliser: 'sha256:ab:cd…', 'AB:CD…', 'abcd…' and what
 * `openssl x509 -noout -fingerprint -sha256` prints ('SHA256 Fingerprint=AB:CD…', 'sha256 Fingerprint=…')
 * → 'AB:CD:…' (64 hex digits).
 */
export function normalizeFingerprintOrThrow(fp: string): string {
  const hex = fp
    .trim()
    .replace(/^sha-?256(\s*fingerprint)?\s*[:=]?/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
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
  const c = Object.hasOwn(file.contexts, n) ? file.contexts[n] : undefined;
  if (!c) {
    const names = Object.keys(file.contexts);
    throw new ConfigError(`unknown context '${preview(n)}'`, {
      hint: names.length ? `known contexts: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : 'add one with xrdctl context add',
    });
  }
  return { name: n, ...c };
}
