/**
 * The first parse of a manifest: js-yaml's event parser and constructor, about ten times faster than the
 * yaml library's document (whose lexer, parser and composer build a node per token) and in half its memory,
 * on the YAML 1.2 core schema that the yaml library reads too. From the same events it takes the start of
 * every mapping and sequence, which is where the yaml library's node ranges start: the positions that plans
 * carry for servers, clients, services and the rest.
 *
 * It answers only for text that both read alike; anything else (anchors, aliases, tags, directives,
 * explicit keys, `__proto__`, a text it cannot parse: duplicate keys, syntax errors) is undefined, and the
 * yaml library parses that file and reports its problems. Positions of scalars and keys (error messages)
 * come from the yaml library's document, parsed only when one is asked for (load.ts).
 */
import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';

const require = createRequire(import.meta.url);
let jsyaml: typeof JsYaml | undefined;

/**
 * What the two parsers may read differently, or what the yaml library limits (aliases expanded at most 100
 * times, implicit keys at most 1024 characters): a node property (anchor, tag) or an alias where a node can
 * start, a directive, an explicit key, a key that names the prototype, a line over 1024 characters.
 * Conservative: a quoted string that merely looks like one sends the file to the yaml library, which reads it
 * right.
 */
const NOT_FAST = /(?:^|[\s[{,])[&*!]|^%|^\s*\?(?:\s|$)|[\s[{,-]\?\s|__proto__|^[^\n]{1025}/m;

export interface FastParse {
  data: unknown;
  /** the offset where each mapping and sequence starts (its first key or item, or its bracket) */
  starts: WeakMap<object, number>;
}

export function fastParse(text: string): FastParse | undefined {
  if (NOT_FAST.test(text)) return undefined;
  const y = (jsyaml ??= require('js-yaml') as typeof JsYaml);
  let events: JsYaml.Event[];
  let data: unknown;
  try {
    events = y.parseEvents(text, { maxDepth: 100 });
    const docs = y.constructFromEvents(events, { source: text, schema: y.CORE_SCHEMA, maxAliases: 0 });
    if (docs.length !== 1) return undefined;
    data = docs[0];
  } catch {
    return undefined;
  }
  const starts = new WeakMap<object, number>();
  const { SEQUENCE, MAPPING, SCALAR, POP } = y.EVENT_ID;
  let i = 1; // after the document's event
  /** the node at events[i], whose value is v (undefined: not found in the data, so nothing below is recorded) */
  const node = (v: unknown): void => {
    const e = events[i++]!;
    if (e.type !== SEQUENCE && e.type !== MAPPING) return;
    const obj = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
    if (obj) starts.set(obj, e.start);
    if (e.type === SEQUENCE) {
      for (let n = 0; events[i]!.type !== POP; n++) node(obj?.[n]);
    } else {
      while (events[i]!.type !== POP) {
        const k = events[i]!;
        let key: string | undefined;
        if (k.type === SCALAR) {
          key = y.getScalarValue(text, k);
          i++;
        } else node(undefined); // a collection as a key: not a manifest, nothing to find below it
        node(obj && key !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined);
      }
    }
    i++; // the collection's end
  };
  node(data);
  return { data, starts };
}
