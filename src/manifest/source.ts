import { isMap, isPair, isScalar, type Document, type LineCounter, type Node as YNode } from 'yaml';
import type { Pos } from '../model/desired.js';

/** At most this many problems are reported per file (the rest are counted). */
export const MAX_ERRORS_PER_FILE = 50;

/** One parsed file: its document (for positions) and its plain data. */
export interface SourceFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  text: string;
  data: Record<string, unknown>;
}

/** Position of a path inside a document: the value node, or the key node for an unknown key. */
export function positionOf(src: SourceFile, path: (string | number)[], key?: string): Pos {
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

export function formatPath(path: (string | number)[], key?: string): string {
  let s = '';
  for (const p of [...path, ...(key !== undefined ? [key] : [])]) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}
