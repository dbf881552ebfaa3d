// Writes docs/commands.md from the commands themselves (the oclif manifest that `npm run build`
// makes): every command with its summary, description, arguments, flags and examples, grouped by
// topic. `--check` exits 1 when the file is stale (test/docs/generated.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));
const bin = pkg.oclif.bin;
const topics = pkg.oclif.topics;
const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const words = (id) => id.split(':').join(' ');
const commands = Object.values(manifest.commands)
  .filter((c) => !c.hidden)
  .sort((a, b) => a.id.localeCompare(b.id));

function flagName(f) {
  return `${f.char ? `-${f.char}, ` : ''}--${f.name}${f.type === 'option' ? ' VALUE' : ''}`;
}
function flagText(f) {
  const bits = [f.summary ?? f.description ?? ''];
  if (f.options) bits.push(`one of: ${f.options.map((o) => `\`${o}\``).join(', ')}`);
  if (f.default !== undefined) bits.push(`default: \`${f.default}\``);
  if (f.required) bits.push('required');
  if (f.multiple) bits.push('repeatable');
  if (f.env) bits.push(`env: \`${f.env}\``);
  return bits
    .filter(Boolean)
    .map((b) => b.replace(/\.$/, ''))
    .join('; ');
}

const globalFlags = Object.values(commands[0].flags).filter((f) => f.helpGroup === 'GLOBAL');
const out = [
  '# Commands',
  '',
  `<!-- generated from the commands by \`npm run docs:commands\` (after \`npm run build\`); do not edit by hand -->`,
  '',
  `Every \`${bin}\` command, its arguments, flags and examples, as \`${bin} COMMAND --help\` shows them. Exit codes: README.md.`,
  '',
  '## Global flags',
  '',
  'Every command takes these.',
  '',
  '| flag | meaning |',
  '|---|---|',
  ...globalFlags.map((f) => `| \`${flagName(f)}\` | ${cell(flagText(f))} |`),
  '',
];
const groups = new Map();
for (const c of commands) {
  const top = c.id.split(':')[0];
  if (!groups.has(top)) groups.set(top, []);
  groups.get(top).push(c);
}
for (const [top, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  out.push(`## ${top}`, '');
  if (topics[top]?.description) out.push(topics[top].description, '');
  for (const c of list) {
    const args = Object.values(c.args ?? {});
    const own = Object.values(c.flags ?? {}).filter((f) => f.helpGroup !== 'GLOBAL' && !f.hidden);
    const required = own.filter((f) => f.required).map((f) => `--${f.name}${f.type === 'option' ? ' VALUE' : ''}`);
    const usage = [
      bin,
      words(c.id),
      ...args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`)),
      c.strict === false ? '…' : '',
      ...required,
      '[FLAGS]',
    ]
      .filter(Boolean)
      .join(' ');
    out.push(`### ${bin} ${words(c.id)}`, '');
    if (c.summary) out.push(c.summary, '');
    if (c.description) out.push(c.description, '');
    out.push('```text', usage, '```', '');
    if (args.length) {
      out.push(
        '| argument | meaning |',
        '|---|---|',
        ...args.map((a) => `| \`${a.name.toUpperCase()}\` | ${cell(a.description)}${a.required ? '' : ' (optional)'} |`),
        '',
      );
    }
    if (own.length) out.push('| flag | meaning |', '|---|---|', ...own.map((f) => `| \`${flagName(f)}\` | ${cell(flagText(f))} |`), '');
    const ex = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command).replace(/<%= config.bin %>/g, bin));
    // marked as an excerpt: the names, ids and hashes are the reader's, so the example tests skip them
    if (ex.length) out.push('Examples:', '', '<!-- excerpt -->', '```sh', ...ex, '```', '');
  }
}
const text = out.join('\n').replace(/\n+$/, '\n');
const file = join(root, 'docs/commands.md');
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    // no file yet: stale
  }
  if (old !== text) {
    console.error('docs/commands.md is stale; run npm run build && npm run docs:commands');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log(`wrote docs/commands.md (${commands.length} commands)`);
}
