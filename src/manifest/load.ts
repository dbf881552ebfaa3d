import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isScalar, parseDocument, visit, type Document, type Node as YNode } from 'yaml';
import { FileError, ManifestError } from '../errors/index.js';
import { READ_LIMITS, readBoundedFile } from '../fs/files.js';
import { UNSAFE_IN_TEXT, codePointLabel, preview } from '../input/text.js';
import type { DesiredInstance } from '../model/desired.js';
import { manifestSchema } from './schema.js';
import { MAX_ERRORS_PER_FILE, formatPath, positionOf, type SourceFile } from './source.js';
export { positionOf, type SourceFile };
import { normalize } from './normalize.js';
import { cacheEnabled, cacheKey, readCached, writeCached } from './cache.js';
import { fastParse } from './fast-yaml.js';
import { semanticChecks, type Expansion } from './semantic.js';

export interface LoadResult {
  manifest?: DesiredInstance;
  errors: ManifestError[];
  files: string[];
  /** values expanded from ${VAR}: what a saved plan must store as the text it came from */
  expansions?: Expansion[];
}

const MAX_FILE = READ_LIMITS.manifest;
/** at most this many problems are reported per file (the rest are counted): reporting stays linear */
let validator: ReturnType<Ajv['compile']> | undefined;

function validate() {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    ajv.addKeyword({ keyword: 'x-expand', schemaType: 'boolean' });
    validator = ajv.compile(manifestSchema);
  }
  return validator;
}

export function displayName(file: string, cwd = process.cwd()): string {
  const r = relative(cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

/** Files named on the command line: a folder means its *.yaml / *.yml files, sorted. */
export function expandPaths(paths: string[], errors: ManifestError[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      errors.push(new ManifestError({ file: p }, `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`));
      continue;
    }
    if (st.isDirectory()) {
      const files = readdirSync(p)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort();
      if (!files.length) errors.push(new ManifestError({ file: p }, 'folder holds no .yaml or .yml file'));
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

/** how often each parser ran (tests: a valid manifest is parsed once, by js-yaml) */
export const parses = { fast: 0, yaml: 0 };

/** YAML as the loader reads it (one set of options for a first parse, and for a cached or fast-parsed file's late one) */
function parseYaml(text: string): { doc: Document; lines: LineCounter } {
  parses.yaml++;
  const lines = new LineCounter();
  // uniqueKeys is checked below in one pass: the yaml library's own check is quadratic in the keys of a map
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true, keepSourceTokens: false });
  return { doc, lines };
}

/** A file parsed now: what the parse cache would keep of it if the whole load finds no problem. */
interface Fresh {
  key: string;
  /** the data as parsed, as JSON, before the semantic checks expand ${VAR} in place */
  pristine: string;
}

function parseFile(file: string, name: string, errors: ManifestError[], env: NodeJS.ProcessEnv, fresh: Map<SourceFile, Fresh>): SourceFile | undefined {
  let buf: Buffer;
  try {
    // regular files only (no FIFO, device or process substitution), size checked before reading
    buf = readBoundedFile(file, { maxBytes: MAX_FILE, what: 'manifest file' });
  } catch (e) {
    errors.push(new ManifestError({ file: name }, e instanceof FileError ? e.message : `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`));
    return undefined;
  }
  if (buf.includes(0)) {
    errors.push(new ManifestError({ file: name, line: 1, col: 1 }, 'binary data, not YAML'));
    return undefined;
  }
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD') && !buf.toString('latin1').includes('\uFFFD')) {
    errors.push(new ManifestError({ file: name, line: 1, col: 1 }, 'not UTF-8 text'));
    return undefined;
  }
  if (!text.trim() || text.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) {
    errors.push(new ManifestError({ file: name, line: 1, col: 1 }, 'empty manifest file', { hint: 'start with apiVersion: xrdctl/v1 and instance: …' }));
    return undefined;
  }
  const key = cacheEnabled(env) ? cacheKey(buf) : undefined;
  const hit = key ? readCached(key, env) : undefined;
  if (hit) {
    let late: { doc: Document; lines: LineCounter } | undefined;
    return {
      file: name,
      text,
      data: hit.data,
      cached: hit.positions,
      get doc() {
        return (late ??= parseYaml(text)).doc;
      },
      get lines() {
        return (late ??= parseYaml(text)).lines;
      },
    };
  }
  // js-yaml first (fast-yaml.ts); a file it does not read as the yaml library does, or cannot parse, goes to
  // the yaml library, which reports its problems
  const fast = fastParse(text);
  if (fast) {
    parses.fast++;
    const lines = lineIndex(text);
    const unsafe = unsafeCharErrors(text, name, lines);
    if (unsafe.length) {
      errors.push(...unsafe);
      return undefined;
    }
    let late: Document | undefined;
    const src: SourceFile = {
      file: name,
      text,
      lines,
      data: fast.data as Record<string, unknown>,
      starts: fast.starts,
      get doc() {
        return (late ??= parseYaml(text).doc);
      },
    };
    return parsed(src, key, errors, fresh);
  }
  const { doc, lines } = parseYaml(text);
  // invisible, bidirectional and control characters anywhere (keys, values, comments): a reviewer
  // must read the file the way the parser does
  const unsafe = unsafeCharErrors(text, name, lines);
  if (unsafe.length) {
    errors.push(...unsafe);
    return undefined;
  }
  if (doc.errors.length) {
    for (const e of doc.errors.slice(0, 20)) {
      const lp = e.linePos?.[0] ?? (e.pos?.[0] !== undefined ? lines.linePos(e.pos[0]) : { line: 1, col: 1 });
      const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      errors.push(new ManifestError({ file: name, line: lp.line, col: lp.col }, `YAML: ${msg}`));
    }
    return undefined;
  }
  const dups = duplicateKeyErrors(doc, name, lines);
  if (dups.length) {
    errors.push(...dups);
    return undefined;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    errors.push(new ManifestError({ file: name, line: 1, col: 1 }, `YAML: ${(e as Error).message}`, { hint: 'aliases may be expanded at most 100 times' }));
    return undefined;
  }
  return parsed({ file: name, doc, lines, text, data: data as Record<string, unknown> }, key, errors, fresh);
}

/** a parsed file: a mapping, or an error; what the parse cache keeps of it */
function parsed(src: SourceFile, key: string | undefined, errors: ManifestError[], fresh: Map<SourceFile, Fresh>): SourceFile | undefined {
  const data = src.data as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    errors.push(new ManifestError(positionOf(src, []), 'a manifest is a mapping (apiVersion, instance, centralServer, securityServers)'));
    return undefined;
  }
  if (key) {
    src.asked = new Map();
    fresh.set(src, { key, pristine: JSON.stringify(data) });
  }
  return src;
}

/** the line starts of a text, as the yaml library's LineCounter holds them (1-based line and column) */
function lineIndex(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/** Invisible, bidirectional and control characters in a file's text, with line:col (bounded). */
function unsafeCharErrors(text: string, name: string, lines: LineCounter): ManifestError[] {
  const out: ManifestError[] = [];
  UNSAFE_IN_TEXT.lastIndex = 0;
  let count = 0;
  for (let m = UNSAFE_IN_TEXT.exec(text); m; m = UNSAFE_IN_TEXT.exec(text)) {
    count++;
    if (out.length < MAX_ERRORS_PER_FILE) {
      const lp = lines.linePos(m.index);
      out.push(
        new ManifestError(
          { file: name, line: lp.line, col: lp.col },
          `${codePointLabel(m[0].codePointAt(0)!)}: invisible, bidirectional and control characters are refused`,
          {
            hint: 'an id with one reads like another id (a look-alike); retype the line',
          },
        ),
      );
    }
  }
  if (count > out.length) out.push(new ManifestError({ file: name }, `and ${count - out.length} more such characters`));
  return out;
}

/** Keys given twice in one mapping, in one linear pass over the document. */
function duplicateKeyErrors(doc: Document, name: string, lines: LineCounter): ManifestError[] {
  const out: ManifestError[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : pair.key === null ? '' : String(pair.key);
        if (seen.has(k)) {
          if (out.length >= MAX_ERRORS_PER_FILE) return visit.BREAK;
          const off = (pair.key as YNode | null)?.range?.[0] ?? 0;
          const lp = lines.linePos(off);
          out.push(new ManifestError({ file: name, line: lp.line, col: lp.col }, `YAML: Map keys must be unique ('${preview(k)}' is given twice)`));
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  return out;
}

/** Edit distance, two rows only; gives up (Infinity) past max. */
function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return Infinity;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** The closest option, if close enough. Words longer than any sensible key or enum value get no hint (bounded work). */
export function didYouMean(word: string, options: string[]): string | undefined {
  if (word.length > 64 || options.length > 200) return undefined;
  let best: string | undefined;
  let score = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const o of options) {
    if (o.length > 64) continue;
    const s = levenshtein(word.toLowerCase(), o.toLowerCase(), limit);
    if (s < score) {
      score = s;
      best = o;
    }
  }
  return best !== undefined && score <= limit ? best : undefined;
}

function splitPointer(ptr: string): (string | number)[] {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const SECRET_KEYS = new Set(['apiKey', 'pin']);

/** ajv errors → one ManifestError per problem, at the YAML node, with a hint. */
function schemaErrors(src: SourceFile): ManifestError[] {
  const v = validate();
  if (v(src.data)) return [];
  const out: ManifestError[] = [];
  const seen = new Set<string>();
  const errs = (v.errors ?? []) as ErrorObject[];
  let dropped = 0;
  // secret references first: one clear message, never the value
  const secretPaths = new Set<string>();
  for (const e of errs) {
    const path = splitPointer(e.instancePath);
    const last = path[path.length - 1];
    if (typeof last === 'string' && SECRET_KEYS.has(last) && (e.keyword === 'oneOf' || e.keyword === 'type')) secretPaths.add(e.instancePath);
  }
  for (const ip of secretPaths) {
    const path = splitPointer(ip);
    const val = src.doc.getIn(path);
    const inline = typeof val === 'string' || typeof val === 'number';
    out.push(
      new ManifestError(
        positionOf(src, path),
        inline ? 'a secret written inline; secrets are only referenced' : 'must be a secret reference { env: NAME } or { file: PATH }',
        {
          hint: 'apiKey: { env: XRD_SS1_API_KEY } or pin: { file: /run/secrets/ss1-pin }',
        },
      ),
    );
  }
  const secretList = [...secretPaths];
  for (const e of errs) {
    if (secretList.length && secretList.some((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'))) continue;
    if (e.keyword === 'oneOf' || e.schemaPath.includes('/oneOf/')) continue;
    // bounded: positions cost a walk of the document each, so only the first ones are placed
    if (out.length >= MAX_ERRORS_PER_FILE) {
      dropped++;
      continue;
    }
    const path = splitPointer(e.instancePath);
    let err: ManifestError;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      const dym = didYouMean(key, allowed);
      err = new ManifestError(positionOf(src, path, key), `unknown key '${preview(key)}'`, {
        hint: dym ? `did you mean '${dym}'?` : `allowed here: ${allowed.join(', ')}`,
      });
    } else if (e.keyword === 'required') {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      err = new ManifestError({ ...positionOf(src, path), path: formatPath(path, key) }, `missing required key '${key}'`, { hint: `add ${key}: …` });
    } else if (e.keyword === 'type') {
      const want = (e.params as { type: string }).type;
      const node = src.doc.getIn(path, true) as YNode | undefined;
      const source = node?.range ? preview(src.text.slice(node.range[0], Math.min(node.range[1], node.range[0] + 200)).trim()) : undefined;
      const isNum = typeof e.data === 'number' || typeof e.data === 'boolean';
      err = new ManifestError(
        positionOf(src, path),
        `must be ${want === 'object' ? 'a mapping' : want === 'array' ? 'a list' : `${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}`}, not ${describe(e.data)}`,
        {
          hint:
            want === 'string' && isNum
              ? `quote it: '${source ?? preview(e.data)}' (YAML reads ${source ?? preview(e.data)} as a ${typeof e.data}${/^0\d/.test(source ?? '') ? ' and drops the leading zero' : ''})`
              : undefined,
        },
      );
    } else if (e.keyword === 'enum' || e.keyword === 'const') {
      const allowed = e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues : [(e.params as { allowedValue: unknown }).allowedValue];
      const dym = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
      err = new ManifestError(positionOf(src, path), `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, {
        hint: dym ? `did you mean ${JSON.stringify(dym)}?` : undefined,
      });
    } else if (e.keyword === 'pattern') {
      const last = path[path.length - 1];
      err = new ManifestError(positionOf(src, path), `'${preview(e.data)}' is not a valid ${typeof last === 'string' ? last : 'value'}`, {
        hint: (e.parentSchema as { description?: string })?.description,
      });
    } else {
      err = new ManifestError(positionOf(src, path), e.message ?? 'invalid');
    }
    const k = `${err.where()} ${err.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(err);
    }
  }
  if (dropped)
    out.push(
      new ManifestError({ file: src.file }, `and ${dropped} more problem(s) of the schema in this file`, {
        hint: 'fix these first; validate reports the rest then',
      }),
    );
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  return `${typeof v} ${preview(v)}`;
}

/**
 * Load one manifest from files and folders: parse with positions, validate against the schema,
 * merge, expand ${VAR} where the schema allows it, check what a schema cannot (ids, duplicates,
 * references), and normalise into the planner's desired state. Every problem in every file is
 * reported in one run; nothing is sent anywhere.
 */
export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** check `${VAR}` references for syntax only and leave them unexpanded (validate: no environment needed) */
  offline?: boolean;
}

export async function loadManifest(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const r = await load(paths, opts);
  // report in reading order: file by file, line by line
  const order = new Map(r.files.map((f, i) => [displayName(f, opts.cwd), i]));
  r.errors.sort(
    (a, b) =>
      (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.col ?? 0) - (b.col ?? 0),
  );
  return r;
}

/**
 * The semantic checks read values of the types the schema allows. A file the schema faulted may hold
 * anything where it faulted (a mapping for an id, an object whose `toString` is a list): when the checks
 * cannot read such a file, they run on the files the schema passed, whose problems are still all reported.
 */
function semantics(all: SourceFile[], schemaValid: SourceFile[], opts: LoadOptions): ReturnType<typeof semanticChecks> {
  const env = opts.env ?? process.env;
  if (schemaValid.length === all.length) return semanticChecks(all, env, { offline: opts.offline });
  try {
    return semanticChecks(all, env, { offline: opts.offline });
  } catch {
    return schemaValid.length ? semanticChecks(schemaValid, env, { offline: opts.offline }) : { errors: [], expansions: [] };
  }
}

async function load(paths: string[], opts: LoadOptions): Promise<LoadResult> {
  const errors: ManifestError[] = [];
  const files = expandPaths(paths, errors);
  const sources: SourceFile[] = [];
  const schemaPlaces = new Set<string>();
  const schemaValid: SourceFile[] = [];
  const env = opts.env ?? process.env;
  const fresh = new Map<SourceFile, Fresh>();
  for (const f of files) {
    const src = parseFile(f, displayName(f, opts.cwd), errors, env, fresh);
    if (!src) continue;
    // a cached file passed the schema when it was cached (the cache's key holds the schema)
    const se = src.cached ? [] : schemaErrors(src);
    errors.push(...se);
    for (const e of se) schemaPlaces.add(`${e.file}:${e.line}:${e.col}`);
    sources.push(src);
    if (!se.length) schemaValid.push(src);
  }
  if (!files.length && !errors.length) errors.push(new ManifestError({ file: paths.join(', ') || '(none)' }, 'no manifest file given'));
  if (!sources.length) return { errors, files };
  // every parsed file gets the semantic checks too, schema problems or not, so one run reports every problem
  // (syntax, schema, semantics); a place the schema already faulted is not reported twice
  const sem = semantics(sources, schemaValid, opts);
  errors.push(...sem.errors.filter((e) => !schemaPlaces.has(`${e.file}:${e.line}:${e.col}`)));
  if (errors.length) return { errors, files };
  const manifest = normalize(sources);
  for (const [src, f] of fresh) writeCached(f.key, f.pristine, src.asked!, env);
  return { manifest, errors, files, expansions: sem.expansions };
}
