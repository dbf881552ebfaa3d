import { isMap, isPair, isScalar, type Document, type LineCounter, type Node as YNode } from 'yaml';
import type { Pos } from '../model/desired.js';

/** At most this many problems are reported per file (the rest are counted). */
export const MAX_ERRORS_PER_FILE = 50;

/** One parsed file: its document (for positions) and its plain data. */
export interface SourceFile {
  file: string;
  /** a file from the parse cache parses its document only when a position the cache lacks is asked for */
  readonly doc: Document;
  readonly lines: LineCounter;
  text: string;
  data: Record<string, unknown>;
  /** parsed by js-yaml (fast-yaml.ts): where each mapping and sequence starts */
  starts?: WeakMap<object, number>;
  /** from the parse cache: positions by positionKey */
  cached?: Map<string, [number, number]>;
  /** parsed now: the positions asked for, which the cache keeps with the file */
  asked?: Map<string, [number, number]>;
}

export function positionKey(path: (string | number)[], key?: string): string {
  return JSON.stringify(key === undefined ? path : [...path, { key }]);
}

/** Position of a path inside a document: the value node, or the key node for an unknown key. */
export function positionOf(src: SourceFile, path: (string | number)[], key?: string): Pos {
  const file = src.file;
  const k = src.cached || src.asked ? positionKey(path, key) : '';
  const hit = src.cached?.get(k);
  if (hit) return { file, line: hit[0], col: hit[1], path: formatPath(path, key) };
  const pos = (key === undefined && fastPosition(src, path)) || locate(src, path, key);
  src.asked?.set(k, [pos.line!, pos.col!]);
  return pos;
}

/** a mapping or sequence of a js-yaml parse, from its recorded start (a scalar or a key needs the document) */
function fastPosition(src: SourceFile, path: (string | number)[]): Pos | undefined {
  if (!src.starts) return undefined;
  let v: unknown = src.data;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  const offset = v !== null && typeof v === 'object' ? src.starts.get(v) : undefined;
  if (offset === undefined) return undefined;
  const lp = src.lines.linePos(offset);
  return { file: src.file, line: lp.line, col: lp.col, path: formatPath(path) };
}

function locate(src: SourceFile, path: (string | number)[], key?: string): Pos {
  const file = src.file;
  let node: unknown = path.length ? src.doc.getIn(path, true) : src.doc.contents;
  let offset: number | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
  }
  if (offset === undefined) {
    // walk up until a node with a range exists
    for (let n = path.length; n >= 0 && offset === undefined; n--) {
      node = n ? src.doc.getIn(path.slice(0, n), true) : src.doc.contents;
      offset = (node as YNode | undefined)?.range?.[0];
    }
  }
  const lp = offset !== undefined ? src.lines.linePos(offset) : { line: 1, col: 1 };
  return { file, line: lp.line, col: lp.col, path: formatPath(path, key) };
}

/**
 * 'securityServers[0].clients[3]'. Joined, not appended: a plan keeps one per change, and appending leaves each
 * a chain of small strings (a fleet's first apply of 30 000 changes: its live heap went from 82 to 76.5 MB, its
 * concatenated strings from 293 000 to 154 000).
 */
export function formatPath(path: (string | number)[], key?: string): string {
  const parts: string[] = [];
  for (const p of key !== undefined ? [...path, key] : path) parts.push(typeof p === 'number' ? `[${p}]` : parts.length ? `.${p}` : p);
  return parts.join('');
}
