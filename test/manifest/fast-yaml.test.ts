/**
 * The manifest's first parse (src/manifest/fast-yaml.ts, js-yaml) reads what the yaml library reads: the
 * same data, and every mapping and sequence starting where the yaml library's node starts; what it cannot
 * promise that for, it declines, and the yaml library parses it.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Node as YNode } from 'yaml';
import { largeManifest } from '../../examples/generate-large.js';
import { fastParse } from '../../src/manifest/fast-yaml.js';
import { loadManifest, parses } from '../../src/manifest/load.js';

const root = join(import.meta.dirname, '../..');
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

/** data and collection starts as the yaml library reads them; undefined where it finds errors */
function asYamlReads(text: string): { data: unknown; starts: [string, number][] } | undefined {
  const doc = parseDocument(text, { strict: true, uniqueKeys: false });
  if (doc.errors.length) return undefined;
  const starts: [string, number][] = [];
  const walk = (n: unknown, path: string) => {
    if (isMap(n)) {
      starts.push([path, (n as YNode).range![0]]);
      for (const p of n.items) walk(p.value, `${path}.${isScalar(p.key) ? String(p.key.value) : '?'}`);
    } else if (isSeq(n)) {
      starts.push([path, (n as YNode).range![0]]);
      n.items.forEach((x, i) => walk(x, `${path}[${i}]`));
    }
  };
  walk(doc.contents, '');
  return { data: doc.toJS(), starts };
}

function fastReads(text: string): { data: unknown; starts: [string, number][] } | undefined {
  const f = fastParse(text);
  if (!f) return undefined;
  const starts: [string, number][] = [];
  const walk = (v: unknown, path: string) => {
    if (v === null || typeof v !== 'object') return;
    starts.push([path, f.starts.get(v) ?? -1]);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(f.data, '');
  return { data: f.data, starts };
}

const sort = (s: [string, number][]) => [...s].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** texts the two parsers must read alike: block and flow styles, comments, scalars of every core type */
const TRICKY = [
  'a: 1\nb:\n  - x\n  - y: 2\n    z: [1, 2, {q: r}]\n',
  '# head\n\napiVersion: xrdctl/v1   # trailing\nlist:\n# between\n  - a\n\n  -   b\n',
  'a:\n  - - 1\n    - 2\n  - []\n  - {}\nb: {}\n',
  'a: |\n  line 1\n\n  line 3\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\n',
  "a: \"x: y # not a comment\"\nb: 'single ''quoted'''\nc: plain # comment\n",
  'a: multi\n  line\n  plain\nb: "multi\n  line quoted"\n',
  'n: ~\nm:\nb: [true, True, TRUE, false, yes, no, on, off]\ni: [0, -0, +12, 0o17, 0x1F, 017, 1_000, 9007199254740993]\nf: [1., .5, 1e3, -1.5E-2, .inf, -.Inf, .NaN, 1.0]\nd: 2001-12-14\nt: 12:30:45\n',
  '---\na: 1\n...\n',
  '\ufeffa: {b: c}\n',
  'a: 1\r\nb:\r\n  - c\r\n  - d: e\r\n',
  'x:\n  "quoted key": 1\n  \'single\': [a, "b", c]\n  1: one\n  true: t\n',
  'seq:\n- a\n- b:\n  - c\n',
  'a: [\n  1,\n  2,\n  ]\nb: {\n  c: d,\n  e: f\n  }\n',
  'a: x\tb\nc: "tab\\tescape"\nd: "\\u00e9 é ü"\n',
  'key with spaces: value\n"": empty key\nurl: https://example.org/a?b=c#frag\n',
  '- top\n- level\n- - seq\n',
];

describe('the fast first parse of a manifest', () => {
  const files = [...yamlFiles(join(root, 'examples')), ...yamlFiles(join(root, 'test')), ...yamlFiles(join(root, 'docs'))];
  it('reads every manifest in examples/, test/ and docs/ as the yaml library does: the data, and where each mapping and sequence starts', () => {
    let compared = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = fastReads(text);
      if (!fast) continue;
      const slow = asYamlReads(text);
      expect(slow, `${f}: the yaml library finds errors the fast parse does not`).toBeDefined();
      expect(fast.data, f).toEqual(slow!.data);
      expect(sort(fast.starts), f).toEqual(sort(slow!.starts));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('reads a generated fleet and the tricky texts alike too', () => {
    for (const text of [largeManifest(5, 4, 3), ...TRICKY]) {
      const fast = fastReads(text);
      const slow = asYamlReads(text);
      expect(fast, JSON.stringify(text)).toBeDefined();
      expect(slow, JSON.stringify(text)).toBeDefined();
      expect(fast!.data, JSON.stringify(text)).toEqual(slow!.data);
      expect(sort(fast!.starts), JSON.stringify(text)).toEqual(sort(slow!.starts));
    }
  });

  it('declines what the two could read differently or the yaml library limits, and what does not parse', () => {
    for (const text of [
      'a: &x {b: 1}\nc: *x\n', // anchor and alias
      'a: !!str 12\n', // tag
      'a: !custom x\n',
      '%YAML 1.1\n---\na: yes\n', // directive
      '? complex\n: key\n',
      'a: {__proto__: {polluted: 1}}\n',
      'a: 1\na: 2\n', // duplicate key
      'a: [1, 2\n', // syntax error
      'a: 1\n---\nb: 2\n', // two documents
      'a: [\n  1,\n]\n', // a closing bracket at the parent's indentation: js-yaml refuses it, the yaml library reads it
    ])
      expect(fastParse(text), JSON.stringify(text)).toBeUndefined();
  });

  it('a problem is reported alike whichever parser read the file: message, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-fast-'));
    const base = readFileSync(join(root, 'examples/small/manifest.yaml'), 'utf8');
    const cases: Record<string, string> = {
      'a key over 1024 characters': base.replace('apiVersion:', `${'k'.repeat(1100)}: 1\napiVersion:`),
      'no space after a colon': base.replace('instance: DEV', 'instance:DEV'),
      'a tab as indentation': base.replace('\n  ', '\n\t'),
      'an unknown key': base.replace('instance: DEV', 'instance: DEV\nbogus: 1'),
      'a duplicate key': base.replace('instance: DEV', 'instance: DEV\ninstance: DEV'),
      'a null value': base.replace('instance: DEV', 'instance:'),
      'a number as a key': base.replace('instance: DEV', 'instance: DEV\n12: x'),
      'a boolean for a string': base.replace('instance: DEV', 'instance: true'),
      'a flow list over lines': base.replace('instance: DEV', 'instance: [DEV,\n  x]'),
      'a nested compact mapping': base.replace('instance: DEV', 'instance: DEV:'),
      'CRLF line ends and an unknown key': base.replace('instance: DEV', 'instance: DEV\nbogus: 1').replace(/\n/g, '\r\n'),
    };
    const env = { XRDCTL_MANIFEST_CACHE: '0', ...fleetEnv(2) };
    const report = async (text: string) => {
      const file = join(dir, 'm.yaml');
      writeFileSync(file, text);
      const r = await loadManifest([file], { env, offline: true });
      return r.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
    };
    let readFast = 0;
    for (const [name, text] of Object.entries(cases)) {
      const before = parses.fast;
      const fast = await report(text);
      readFast += parses.fast - before;
      const slow = await report(`${text}\n# &slow: an anchor-like comment sends the file to the yaml library\n`);
      expect(fast, name).toEqual(slow);
      expect(fast.length, name).toBeGreaterThan(0);
    }
    // the ones js-yaml parses (the rest it refuses, and the yaml library reports them both times)
    expect(readFast).toBeGreaterThanOrEqual(6);
  });

  it('a valid manifest is parsed once, by the fast parser; a problem in it is still reported at its line and column', async () => {
    const env = { XRDCTL_MANIFEST_CACHE: '0' };
    const text = largeManifest(3, 2, 2);
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-fast-'));
    const file = join(dir, 'm.yaml');
    writeFileSync(file, text);
    const before = { ...parses };
    const ok = await loadManifest([file], { env: { ...env, ...fleetEnv(3) } });
    expect(ok.errors).toEqual([]);
    expect(parses.fast - before.fast).toBe(1);
    expect(parses.yaml - before.yaml).toBe(0);
    // positions the plan carries: the second server's first client, as the yaml library finds it
    const client = ok.manifest!.servers[1]!.clients[0]!;
    const lines = text.split('\n');
    expect(lines[client.pos!.line! - 1]!.slice(client.pos!.col! - 1)).toMatch(/^id: "DEV:GOV:1002:SUB1"/);
    // a bad value deep inside: its scalar position comes from the yaml library's document, parsed late
    const broken = text.replace('timeout: 32', 'timeout: -5');
    writeFileSync(file, broken);
    const bad = await loadManifest([file], { env: { ...env, ...fleetEnv(3) } });
    expect(bad.errors.length).toBeGreaterThan(0);
    const e = bad.errors[0]!;
    const at = broken.split('\n').findIndex((l) => l.includes('timeout: -5')) + 1;
    expect(e.line).toBe(at);
    expect(broken.split('\n')[at - 1]!.slice(e.col! - 1)).toMatch(/^-5/);
  });
});

function fleetEnv(n: number): Record<string, string> {
  const env: Record<string, string> = { XRD_CS_URL: 'https://127.0.0.1:4000', XRD_CS_TLS_FINGERPRINT: 'AB:'.repeat(31) + 'AB', XRD_CS_API_KEY: 'k' };
  for (let i = 1; i <= n; i++) {
    env[`XRD_SS${i}_URL`] = `https://127.0.0.1:${4000 + i}`;
    env[`XRD_SS${i}_TLS_FINGERPRINT`] = 'AB:'.repeat(31) + 'AB';
    env[`XRD_SS${i}_API_KEY`] = 'k';
    env[`XRD_SS${i}_PIN`] = '1234';
  }
  return env;
}
