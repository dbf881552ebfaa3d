/**
 * Dynamic completion values, answered by `xrdctl __complete KIND [-c CONTEXT] [-f MANIFEST]…`, which bin/run.js
 * handles before @oclif/core is loaded (the shell waits for it on every TAB):
 *
 * - `contexts`: the context names (contexts.json only);
 * - `servers`: the security server names of the manifests given on the line (YAML only, no schema), kept per
 *   file (path, size, modification time) so that a TAB on an unchanged manifest does not load the YAML parser;
 * - `certs`, `keys`: certificate hashes and key ids of the context's security server, read with one request
 *   (`GET /tokens`) within a bounded time and cached briefly (0600, in the state folder).
 *
 * Every failure (no context, unreadable file, a server that does not answer, a secret that would need a prompt)
 * answers nothing: completion must never print an error into the shell.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readContexts } from '../config/contexts.js';
import { stateDir } from '../config/paths.js';
import { READ_LIMITS, readBoundedText, writeFileSafe } from '../fs/files.js';

export type DynamicKind = 'contexts' | 'servers' | 'certs' | 'keys';
export const DYNAMIC_KINDS: readonly DynamicKind[] = ['contexts', 'servers', 'certs', 'keys'];

/** how long a server's hashes and key ids are reused, and how long asking for them may take */
export const CACHE_TTL_MS = 60_000;
export const SERVER_TIMEOUT_MS = 2_000;
const MAX_MANIFEST_FILES = 50;
const MAX_VALUES = 500;

interface Request {
  kind: DynamicKind;
  context?: string;
  manifests: string[];
}

/** `KIND [-c CTX | --context CTX | --context=CTX] [-f FILE | --manifest FILE | --manifest=FILE]…` */
export function parseCompleteArgs(argv: string[]): Request | undefined {
  const kind = argv[0] as DynamicKind;
  if (!DYNAMIC_KINDS.includes(kind)) return undefined;
  const r: Request = { kind, manifests: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = /^(--context|--manifest)=(.*)$/.exec(a);
    const name = eq ? eq[1] : a;
    const value = eq ? eq[2] : argv[i + 1];
    if (!eq && (a === '-c' || a === '--context' || a === '-f' || a === '--manifest')) i++;
    if (value === undefined || value === '') continue;
    if (name === '-c' || name === '--context') r.context = value;
    else if (name === '-f' || name === '--manifest') r.manifests.push(value);
  }
  return r;
}

export async function completeValues(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const r = parseCompleteArgs(argv);
  if (!r) return [];
  try {
    if (r.kind === 'contexts') return Object.keys(readContexts(env).contexts).sort();
    if (r.kind === 'servers') return await manifestServers(r.manifests, env);
    return await serverValues(r.kind, r.context, env);
  } catch {
    return [];
  }
}

/** a manifest's server names as last read, by path: a TAB on an unchanged file needs no YAML parser */
interface ManifestCache {
  files: Record<string, { size: number; mtimeMs: number; names: string[] }>;
}

async function manifestServers(paths: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) files.push(...readdirSync(p).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => join(p, f)));
      else files.push(p);
    } catch {
      /* not there: nothing to offer */
    }
  }
  const cacheFile = join(stateDir(env), 'completion', 'manifests.json');
  let cache: ManifestCache = { files: Object.create(null) as ManifestCache['files'] };
  try {
    const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as ManifestCache;
    if (c && typeof c.files === 'object' && c.files) cache = { files: Object.assign(Object.create(null), c.files) as ManifestCache['files'] };
  } catch {
    /* no cache yet */
  }
  const names = new Set<string>();
  let parse: typeof import('yaml').parseAllDocuments | undefined;
  let changed = false;
  for (const f of files.slice(0, MAX_MANIFEST_FILES)) {
    try {
      const key = resolve(f);
      const st = statSync(f);
      const hit = cache.files[key];
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && Array.isArray(hit.names)) {
        for (const n of hit.names) if (typeof n === 'string') names.add(n);
        continue;
      }
      // loaded only on a miss: the YAML parser is most of a TAB's cost otherwise
      parse ??= (await import('yaml')).parseAllDocuments;
      const found: string[] = [];
      for (const doc of parse(readBoundedText(f, { maxBytes: READ_LIMITS.manifest, what: 'manifest file' }))) {
        const d = 'toJS' in doc ? (doc.toJS({ maxAliasCount: 100 }) as { securityServers?: { name?: unknown }[] } | null) : null;
        for (const s of Array.isArray(d?.securityServers) ? d.securityServers : []) if (typeof s?.name === 'string') found.push(s.name);
      }
      found.forEach((n) => names.add(n));
      cache.files[key] = { size: st.size, mtimeMs: st.mtimeMs, names: found.slice(0, MAX_VALUES) };
      changed = true;
    } catch {
      /* a broken file offers nothing */
    }
  }
  if (changed) {
    const keys = Object.keys(cache.files);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_MANIFEST_FILES))) delete cache.files[k];
    try {
      mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
      writeFileSafe(cacheFile, JSON.stringify(cache), { overwrite: true, what: 'completion cache' });
    } catch {
      /* a cache that cannot be written only costs the next TAB a parse */
    }
  }
  return [...names].sort();
}

interface CacheEntry {
  at: number;
  url: string;
  certs: string[];
  keys: string[];
}

async function serverValues(kind: 'certs' | 'keys', contextName: string | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  const file = readContexts(env);
  const name = contextName ?? env.XRDCTL_CONTEXT ?? file.current;
  if (!name || !Object.hasOwn(file.contexts, name)) return [];
  const ctx = { ...file.contexts[name]!, name };
  if (ctx.kind !== 'security') return [];
  const cacheFile = join(stateDir(env), 'completion', `${name}.json`);
  try {
    const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheEntry;
    if (c.url === ctx.url && Date.now() - c.at >= 0 && Date.now() - c.at < CACHE_TTL_MS) return c[kind];
  } catch {
    /* no cache yet */
  }
  // loaded only here: context and manifest names never pay for the HTTP layer
  const { connectSecurityServer } = await import('../api/connect.js');
  const read = (async () => {
    const api = await connectSecurityServer(ctx, { env, timeoutMs: SERVER_TIMEOUT_MS, totalTimeoutMs: SERVER_TIMEOUT_MS, retries: 0 });
    try {
      return await api.getTokens();
    } finally {
      api.http.close();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SERVER_TIMEOUT_MS + 500)));
  const tokens = await Promise.race([read, timeout]).finally(() => clearTimeout(timer));
  const keys = tokens.flatMap((t) => t.keys ?? []);
  const entry: CacheEntry = {
    at: Date.now(),
    url: ctx.url,
    certs: keys.flatMap((k) => (k.certificates ?? []).map((c) => c.certificate_details?.hash).filter((h): h is string => typeof h === 'string' && /^[0-9A-F]{16,128}$/i.test(h))).slice(0, MAX_VALUES),
    keys: keys.map((k) => k.id).filter((id) => typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id)).slice(0, MAX_VALUES),
  };
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    writeFileSafe(cacheFile, JSON.stringify(entry), { overwrite: true, what: 'completion cache' });
  } catch {
    /* a cache that cannot be written only costs the next TAB a request */
  }
  return entry[kind];
}
