import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';

/** The arrows of docs/architecture.md, held against the code's imports. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const src = files(join(repoRoot, 'src'));
const commands = files(join(repoRoot, 'commands'));
const rel = (p: string) => relative(repoRoot, p);
const text = new Map([...src, ...commands].map((f) => [f, readFileSync(f, 'utf8')]));

/** Relative imports of a file (static and dynamic), resolved to .ts files of the repository. */
function imports(file: string): string[] {
  const t = text.get(file)!;
  const out: string[] = [];
  for (const m of t.matchAll(/(?:from\s+|import\(\s*)['"](\.[^'"]+)['"]/g)) out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  return out;
}
const layer = (p: string) => rel(p).split('/').slice(0, 2).join('/');

describe('architecture', () => {
  it('src/ has no import cycle', () => {
    const graph = new Map(src.map((f) => [f, imports(f).filter((i) => text.has(i) && i.includes('/src/'))]));
    const state = new Map<string, number>();
    const stack: string[] = [];
    const cycles: string[] = [];
    const visit = (f: string) => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map(rel).join(' → '));
        return;
      }
      state.set(f, 1);
      stack.push(f);
      for (const d of graph.get(f) ?? []) visit(d);
      stack.pop();
      state.set(f, 2);
    };
    for (const f of src) visit(f);
    expect(cycles).toEqual([]);
  });

  it('manifest/ and engine/ do not know each other; engine/ knows nothing of output/ or commands/', () => {
    const bad: string[] = [];
    for (const f of src) {
      const from = layer(f);
      for (const i of imports(f)) {
        const to = layer(i);
        if (
          (from === 'src/manifest' && to === 'src/engine') ||
          (from === 'src/engine' && ['src/manifest', 'src/output', 'src/services', 'src/rotation', 'src/cli'].includes(to)) ||
          (from === 'src/engine' && rel(i).startsWith('commands/'))
        )
          bad.push(`${rel(f)} → ${rel(i)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no network code outside src/http (the sandbox’s own listeners aside)', () => {
    // requests: a global fetch, node's http(s).request/get, undici; commands also may not use an API client's raw request
    const code = (f: string) => text.get(f)!.replace(/\/\/.*$/gm, '');
    const bad = [...src, ...commands]
      .filter((f) => !rel(f).startsWith('src/http/') && !rel(f).startsWith('src/sandbox/'))
      .filter(
        (f) =>
          /(^|[^.\w])fetch\(|(^|[^.\w])https?\.(request|get)\(|from ['"]undici['"]/.test(code(f)) ||
          (rel(f).startsWith('commands/') && /\.http\.request\(/.test(code(f))),
      );
    expect(bad.map(rel)).toEqual([]);
  });

  it('commands are thin: at most 80 lines, no loops, no exported helpers', () => {
    const long = commands.filter((f) => text.get(f)!.split('\n').length > 80).map(rel);
    const loops = commands.filter((f) => /\b(for|while)\s*\(/.test(text.get(f)!)).map(rel);
    const exported = commands.filter((f) => /^export (?!default)/m.test(text.get(f)!)).map(rel);
    expect({ long, loops, exported }).toEqual({ long: [], loops: [], exported: [] });
  });

  it("commands and src/ take @oclif/core's values from src/cli/oclif.ts (require), never by an ESM import", () => {
    // `import type` is erased; a value import of '@oclif/core' loads all of semver, and any ESM import of its
    // CommonJS files makes Node scan them for exports, which soon gets V8 compiling the scanner (docs/performance.md)
    const bad = [...src, ...commands].filter((f) =>
      /^import\s+(?!type\b)[^;]*from\s+['"]@oclif\/core[^'"]*['"]|(?<!typeof\s)import\(\s*['"]@oclif\/core/m.test(text.get(f)!),
    );
    expect(bad.map(rel)).toEqual([]);
  });

  it('nothing under src/ but src/output writes to stdout or stderr (process entry points aside)', () => {
    const entries = new Set(['src/sandbox/daemon.ts']);
    const bad = src
      .filter((f) => !rel(f).startsWith('src/output/') && !entries.has(rel(f)))
      .filter((f) => /process\.(stdout|stderr)\.write|console\.(log|error|warn|info)\(/.test(text.get(f)!));
    expect(bad.map(rel)).toEqual([]);
  });
});
