/**
 * Input hygiene, once, at the edges: what a manifest, a flag or a contexts file may hold.
 *
 * Two look-alike strings must never name two different things on the screen. So anything a person
 * cannot see or that reorders what they see is refused in input (and made visible in output):
 *   - control characters: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F);
 *   - format characters (Unicode Cf): zero-width space/joiners, BOM, soft hyphen, word joiner,
 *     bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), ALM, LRM, RLM;
 *   - line and paragraph separators (U+2028, U+2029), private-use, surrogates, unassigned.
 *
 * X-Road identifiers (instance, member class and code, subsystem, server and service codes) follow
 * X-Road's own rule for encoded identifiers: no ':' ';' '/' '\' '%', no control characters, no
 * path traversal ('.', '..'); we add: no whitespace, NFKC-normal (no full-width or compatibility
 * look-alikes) and letters of one script only (a Cyrillic 'Е' inside a Latin code is refused).
 */

/** One character that must not be in input, as a regular expression (global, unicode). */
export const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/gu;
/** The same, allowing tab, newline and carriage return (multi-line text files). */
export const UNSAFE_IN_TEXT = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/gu;

/** 'U+200B ZERO WIDTH SPACE'-style name for a character (a few common ones named). */
const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'newline',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'DEL',
  0x9b: 'CSI',
  0xad: 'soft hyphen',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'byte order mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
};

export function codePointLabel(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[cp];
  if (name) return `${hex} (${name})`;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `${hex} (control character)`;
  return `${hex} (invisible or formatting character)`;
}

export interface UnsafeChar {
  /** index in the string (UTF-16 units) */
  index: number;
  codePoint: number;
  label: string;
}

/** The first character a person cannot see (or that reorders text), or undefined. */
export function findUnsafeChar(s: string, opts: { allowNewlines?: boolean } = {}): UnsafeChar | undefined {
  const re = opts.allowNewlines ? UNSAFE_IN_TEXT : UNSAFE_CHARS;
  re.lastIndex = 0;
  const m = re.exec(s);
  if (!m) return undefined;
  const cp = m[0].codePointAt(0)!;
  return { index: m.index, codePoint: cp, label: codePointLabel(cp) };
}

/** A short, visible rendering of any value for messages: invisible characters as <U+XXXX>, at most max characters. */
export function preview(v: unknown, max = 60): string {
  let s = typeof v === 'string' ? v : String(v);
  let cut = false;
  if (s.length > max) {
    s = s.slice(0, max);
    cut = true;
  }
  s = s.replace(UNSAFE_CHARS, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
  return cut ? `${s}…` : s;
}

const SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Han', /\p{Script=Han}/u],
];

function scriptsOf(s: string): Set<string> {
  const out = new Set<string>();
  for (const ch of s) {
    if (!/\p{L}/u.test(ch)) continue;
    const hit = SCRIPTS.find(([, re]) => re.test(ch));
    out.add(hit ? hit[0] : 'other');
  }
  return out;
}

const PLAIN_PART = /^[!-~]+$/;
const FORBIDDEN_IN_PART = /[:;/\\%]/;

/** Maximum length of one identifier part (X-Road's database columns hold 255). */
export const MAX_ID_PART = 255;

/**
 * What is wrong with one part of an X-Road identifier (instance, class, code, subsystem, server or
 * service code), or undefined when it is fine.
 */
export function identifierPartProblem(part: string): string | undefined {
  if (part.length === 0) return 'is empty';
  if (part.length > MAX_ID_PART) return `is longer than ${MAX_ID_PART} characters`;
  // printable ASCII without the forbidden characters and not '.' or '..' (nearly every id): no invisible character, no
  // whitespace, NFKC-normal, Latin letters only, so none of the checks below can fail (a manifest of 2,000 clients checks 40,000 parts)
  if (PLAIN_PART.test(part) && !FORBIDDEN_IN_PART.test(part) && part !== '.' && part !== '..') return undefined;
  const bad = findUnsafeChar(part);
  if (bad) return `contains ${bad.label} at character ${bad.index + 1}`;
  const m = /[:;/\\%]|\s/u.exec(part);
  if (m) return m[0].trim() ? `contains '${m[0]}', which X-Road identifiers may not hold` : `contains whitespace (${codePointLabel(m[0].codePointAt(0)!)})`;
  if (part === '.' || part === '..') return `is '${part}' (a path segment)`;
  if (part.normalize('NFKC') !== part) return 'contains compatibility or full-width characters (not NFKC-normal); type it in plain characters';
  const scripts = scriptsOf(part);
  if (scripts.size > 1) return `mixes ${[...scripts].join(' and ')} letters (a look-alike?)`;
  return undefined;
}

export type IdKind = 'instance' | 'member' | 'subsystem' | 'client' | 'server' | 'group' | 'part';

const ID_PARTS: Record<IdKind, { parts: number[]; shape: string }> = {
  instance: { parts: [1], shape: 'INSTANCE' },
  member: { parts: [3], shape: 'INSTANCE:CLASS:CODE' },
  subsystem: { parts: [4], shape: 'INSTANCE:CLASS:CODE:SUBSYSTEM' },
  client: { parts: [3, 4], shape: 'INSTANCE:CLASS:CODE[:SUBSYSTEM]' },
  server: { parts: [4], shape: 'INSTANCE:CLASS:CODE:SERVERCODE' },
  group: { parts: [2], shape: 'INSTANCE:GROUPCODE' },
  /** one code alone: a service, local group or server code */
  part: { parts: [1], shape: 'a code' },
};

const PART_NAMES: Record<number, string[]> = {
  1: ['instance'],
  2: ['instance', 'group code'],
  3: ['instance', 'member class', 'member code'],
  4: ['instance', 'member class', 'member code', 'subsystem code'],
};

/** What is wrong with a whole identifier (split at ':'), or undefined. */
export function identifierProblem(id: string, kind: IdKind): string | undefined {
  if (typeof id !== 'string') return 'is not a string';
  if (kind === 'part') return identifierPartProblem(id);
  const spec = ID_PARTS[kind];
  const parts = id.split(':');
  if (!spec.parts.includes(parts.length)) return `is not ${spec.shape}`;
  for (let i = 0; i < parts.length; i++) {
    const p = identifierPartProblem(parts[i]!);
    if (p) {
      const name = kind === 'server' && i === 3 ? 'server code' : (PART_NAMES[parts.length]?.[i] ?? `part ${i + 1}`);
      return `${name} ${p}`;
    }
  }
  return undefined;
}

/** What is wrong with free text (a name, a description), or undefined. */
export function textProblem(s: string, opts: { maxLength?: number; allowNewlines?: boolean } = {}): string | undefined {
  const max = opts.maxLength ?? 4096;
  if (s.length > max) return `is longer than ${max} characters`;
  const bad = findUnsafeChar(s, { allowNewlines: opts.allowNewlines });
  if (bad) return `contains ${bad.label} at character ${bad.index + 1}`;
  return undefined;
}
