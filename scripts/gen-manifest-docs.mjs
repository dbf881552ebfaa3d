// Writes the reference section of docs/manifest.md from schema/manifest.schema.json (itself generated
// from src/manifest/schema.ts): every field with its type, whether it is required, its default and its
// description. `--check` exits 1 when the file is stale (test/docs/generated.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/manifest.schema.json'), 'utf8'));
const file = join(root, 'docs/manifest.md');
const BEGIN = '<!-- BEGIN GENERATED: manifest reference (npm run docs:manifest; do not edit by hand) -->';
const END = '<!-- END GENERATED: manifest reference -->';

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
function typeOf(s) {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.oneOf || s.anyOf) return (s.oneOf ?? s.anyOf).map(shape).join(' or ');
  if (s.type === 'array') return s.items?.properties ? 'list of objects' : `list of ${s.items ? shape(s.items) : 'any'}`;
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}
/** a short shape for a variant: an object's keys, or its type */
function shape(s) {
  if (s.type === 'object' && s.properties) return `{ ${Object.keys(s.properties).join(', ')} }`;
  return typeOf(s);
}

const rows = [];
function walk(s, path, required) {
  const props = s.type === 'array' ? s.items?.properties : s.properties;
  const req = new Set((s.type === 'array' ? s.items?.required : s.required) ?? []);
  const base = s.type === 'array' ? `${path}[]` : path;
  for (const [k, p] of Object.entries(props ?? {})) {
    const at = base ? `${base}.${k}` : k;
    const extra = [];
    if (p.pattern) extra.push(`pattern \`${p.pattern}\``);
    if (p.minimum !== undefined || p.maximum !== undefined) extra.push(`range ${p.minimum ?? '…'}–${p.maximum ?? '…'}`);
    rows.push(
      `| \`${at}\` | ${cell(typeOf(p))} | ${req.has(k) ? 'yes' : ''} | ${p.default === undefined ? '' : `\`${cell(JSON.stringify(p.default))}\``} | ${cell(p.description ?? '')}${extra.length ? ` (${cell(extra.join('; '))})` : ''} |`,
    );
    walk(p, at, req.has(k));
    for (const v of p.oneOf ?? p.anyOf ?? [])
      if (v.properties && Object.values(v.properties).some((x) => x.properties || x.items?.properties)) walk(v, at, false);
  }
  void required;
}
walk(schema, '', true);

const section = [
  BEGIN,
  '## Reference',
  '',
  'Every field of a manifest file, generated from the JSON Schema (`schema/manifest.schema.json`). `a[].b` is the field',
  '`b` of each item of the list `a`.',
  '',
  '| field | type | required | default | description |',
  '|---|---|---|---|---|',
  ...rows,
  END,
].join('\n');

const text = readFileSync(file, 'utf8');
const i = text.indexOf(BEGIN);
const j = text.indexOf(END);
const next = i === -1 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, i)}${section}${text.slice(j + END.length)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('docs/manifest.md: the reference section is stale; run npm run docs:manifest');
    process.exit(1);
  }
} else {
  writeFileSync(file, next);
  console.log(`wrote docs/manifest.md reference (${rows.length} fields)`);
}
