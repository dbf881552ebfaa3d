/**
 * The parse cache of manifest files. Parsing YAML with positions is the slowest part of loading a large
 * manifest (about 1 MB/s with the yaml library, which keeps every node's place for messages), and
 * Ansible, CI and operators load the same file many times (validate, plan, apply, apply again). A file
 * that loaded without a problem is cached by the SHA-256 of its bytes: its data as parsed (before any
 * `${VAR}` is expanded: expansion runs on every load, with that run's environment) and the line and
 * column of every place the loader asked for.
 *
 * - A hit skips the YAML parse, the character and duplicate-key checks and the schema check (all of them
 *   depend on the bytes alone, and the key holds the bytes' hash, the schema and the rules). The
 *   semantic checks run on every load. A position the cache lacks (a semantic problem found on a later
 *   load, with another environment) parses the file then: messages always name the right line.
 * - Only files of a load that found no problem are written, so nothing a manifest must not hold (a
 *   literal secret is a problem) is ever copied into the cache.
 * - `<state>/cache/manifests/`, 0700; each file 0600, written atomically and never through a symbolic
 *   link; a folder that is a link, or that others may write, is neither read nor written. At most
 *   MAX_FILES (the oldest go); a file that does not parse as this format is a miss.
 * - `XRDCTL_MANIFEST_CACHE=0` turns it off.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';
import { READ_LIMITS, readBoundedFile, writeFileSafe } from '../fs/files.js';
import { UNSAFE_IN_TEXT } from '../input/text.js';
import { manifestSchema } from './schema.js';

const FORMAT = 'xrdctl-manifest-cache/1';
const MAX_FILES = 16;

/** positions by key (positionKey): [line, col] */
export type Positions = Map<string, [number, number]>;

export interface CachedFile {
  data: Record<string, unknown>;
  positions: Positions;
}

let rules: string | undefined;
/** what, besides the bytes, decides the parse and the checks a hit skips */
function rulesHash(): string {
  rules ??= createHash('sha256')
    .update(FORMAT)
    .update(String((createRequire(import.meta.url)('yaml/package.json') as { version: string }).version))
    .update(JSON.stringify(manifestSchema))
    .update(UNSAFE_IN_TEXT.source)
    .digest('hex')
    .slice(0, 16);
  return rules;
}

export function cacheEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.XRDCTL_MANIFEST_CACHE !== '0';
}

/** the cache key of a file's bytes */
export function cacheKey(bytes: Buffer): string {
  return `${createHash('sha256').update(bytes).digest('hex')}-${rulesHash()}`;
}

function dir(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'cache', 'manifests');
}

/**
 * The cache folder is used only when it is a real folder of ours that nobody else may write to: an entry
 * is data the loader trusts (its key is the hash of bytes anyone can read), so neither a symbolic link to
 * elsewhere nor a folder others can write is read or written.
 */
function private_(d: string): boolean {
  for (const p of [join(d, '..'), d]) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return false;
    }
    if (!st.isDirectory() || st.mode & 0o022) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  }
  return true;
}

/** A cached parse of these bytes, or undefined (no entry, or one that is not whole and of this format). */
export function readCached(key: string, env: NodeJS.ProcessEnv): CachedFile | undefined {
  let raw: Buffer;
  try {
    if (!private_(dir(env))) return undefined;
    raw = readBoundedFile(join(dir(env), `${key}.json`), { maxBytes: 4 * READ_LIMITS.manifest, what: 'manifest cache' });
  } catch {
    return undefined;
  }
  try {
    const c = JSON.parse(raw.toString('utf8')) as { format?: unknown; key?: unknown; positions?: unknown; data?: unknown };
    if (c.format !== FORMAT || c.key !== key || !Array.isArray(c.positions)) return undefined;
    if (!c.data || typeof c.data !== 'object' || Array.isArray(c.data)) return undefined;
    const positions: Positions = new Map();
    for (const p of c.positions as unknown[]) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || !Number.isInteger(p[1]) || !Number.isInteger(p[2])) return undefined;
      positions.set(p[0], [p[1] as number, p[2] as number]);
    }
    return { data: c.data as Record<string, unknown>, positions };
  } catch {
    return undefined;
  }
}

/**
 * Cache a file that loaded without a problem: `pristine` is its data as JSON, taken before expansion.
 * A cache that cannot be written costs the next load a parse, nothing else.
 */
export function writeCached(key: string, pristine: string, positions: Positions, env: NodeJS.ProcessEnv): void {
  const d = dir(env);
  try {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if (!private_(d)) return;
    const body = `{"format":${JSON.stringify(FORMAT)},"key":${JSON.stringify(key)},"positions":${JSON.stringify([...positions].map(([k, [l, c]]) => [k, l, c]))},"data":${pristine}}`;
    writeFileSafe(join(d, `${key}.json`), body, { overwrite: true, durable: false, what: 'manifest cache' });
    prune(d);
  } catch {
    /* only the next load's speed depends on it */
  }
}

function prune(d: string): void {
  const files = readdirSync(d)
    .filter((f) => /^[0-9a-f]{64}-[0-9a-f]{16}\.json$/.test(f))
    .map((f) => {
      try {
        return { f, at: statSync(join(d, f)).mtimeMs };
      } catch {
        return { f, at: 0 };
      }
    })
    .sort((a, b) => b.at - a.at);
  for (const { f } of files.slice(MAX_FILES)) {
    try {
      unlinkSync(join(d, f));
    } catch {
      /* gone already */
    }
  }
}
