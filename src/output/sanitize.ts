import { stripVTControlCharacters } from 'node:util';
import type { ChalkInstance } from 'chalk';
import { UNSAFE_CHARS, UNSAFE_IN_TEXT } from '../input/text.js';

/**
 * Nothing a server, a manifest or a file supplies reaches a terminal raw. Terminal escape
 * sequences are removed (util.stripVTControlCharacters); every other control, invisible or
 * bidirectional character is shown as <U+XXXX>, so a look-alike id never reads like the real one
 * and no line can be forged, no window retitled, no screen cleared.
 *
 * Our own colours survive: the output layer's chalk instances emit a per-process random marker
 * instead of ESC, and only that marker becomes ESC when a line is written. Data cannot hold the
 * marker (it is a random run of private-use characters, which are themselves escaped).
 */
// made on first use, not at module load: a command that prints nothing coloured never pays for it
let mark: string | undefined;
let markSgr: RegExp | undefined;
const MARK_ = (): string => (mark ??= String.fromCodePoint(...[...globalThis.crypto.getRandomValues(new Uint8Array(8))].map((b, i) => 0xf0000 + (i << 8) + b)));
const MARK_SGR_ = (): RegExp => (markSgr ??= new RegExp(`${MARK_()}\\[[0-9;]*m`, 'g'));

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** One piece of untrusted text, made safe for a terminal. Newlines are kept unless oneLine. */
export function cleanText(s: string, opts: { oneLine?: boolean } = {}): string {
  const stripped = stripVTControlCharacters(s);
  return stripped.replace(UNSAFE_CHARS, (c) => {
    if (!opts.oneLine && (c === '\n' || c === '\t')) return c;
    return `<U+${hex(c.codePointAt(0)!)}>`;
  });
}

/** Text that may carry our colour markers: clean every piece between them, keep the markers. */
export function cleanMarked(s: string, opts: { oneLine?: boolean } = {}): string {
  if (!s.includes(MARK_())) return cleanText(s, opts);
  return s
    .split(MARK_())
    .map((p) => cleanText(p, opts))
    .join(MARK_());
}

const PEM = /^(-----BEGIN [A-Z0-9 ]+-----\r?\n([A-Za-z0-9+/=]*\r?\n)*-----END [A-Z0-9 ]+-----\r?\n?)+$/;

/**
 * A command's result, made safe for its human renderer: every string is one line (a newline from a
 * server cannot forge the next line of a table or a message), PEM blocks excepted (their lines are
 * base64 only) and fields the command made itself as text of several lines (multiline: their keys).
 * The JSON result is not touched (safeJson escapes it).
 */
export function cleanData<T>(v: T, multiline: ReadonlySet<string> = new Set(), depth = 0, key = ''): T {
  if (typeof v === 'string') return cleanText(v, { oneLine: !multiline.has(key) && !PEM.test(v) }) as unknown as T;
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => cleanData(x, multiline, depth + 1, key)) as unknown as T;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = cleanData(x, multiline, depth + 1, k);
  return out as T;
}

/** The final step before a stream: clean, then turn our markers into real escape sequences. */
export function toTerminal(s: string, opts: { oneLine?: boolean } = {}): string {
  return cleanMarked(s, opts).split(MARK_()).join('\u001b');
}

/** Length as seen on the screen (colour markers and real SGR sequences do not count). */
export function visibleLength(s: string): number {
  return stripVTControlCharacters(s.replace(MARK_SGR_(), '')).length;
}

/** A chalk instance whose escape sequences are our markers (so toTerminal keeps them). */
export function markedChalk(c: ChalkInstance): ChalkInstance {
  // the proxy's target is a bare arrow function (no non-configurable properties to mirror)
  const wrap = (real: unknown): unknown =>
    new Proxy(() => undefined, {
      get: (_t, prop) => {
        const v = Reflect.get(real as object, prop);
        return prop === 'level' || (typeof v !== 'function' && (typeof v !== 'object' || v === null)) ? v : wrap(v);
      },
      apply: (_t, _this, args: unknown[]) => {
        const r = Reflect.apply(real as (...a: unknown[]) => unknown, undefined, args);
        return typeof r === 'string' ? r.split('\u001b').join(MARK_()) : r;
      },
    });
  return wrap(c) as ChalkInstance;
}

const NOT_PLAIN_ASCII = /[^\x20-\x7e\n]/;

/**
 * JSON for stdout: JSON.stringify escapes C0 controls; this also escapes DEL, C1, format and
 * bidirectional characters, separators, private-use and unassigned code points, so a JSON document
 * shown in a terminal (or a log viewer) cannot carry a raw one either.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  // printable ASCII and newlines only (most documents): nothing to escape, found by a far cheaper pattern
  // than the Unicode classes (a 28 MB plan: 50 against 180 ms)
  if (text === undefined || !NOT_PLAIN_ASCII.test(text)) return text;
  // raw newlines in JSON.stringify's output are indentation only (inside strings they are escaped)
  return text.replace(UNSAFE_IN_TEXT, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
