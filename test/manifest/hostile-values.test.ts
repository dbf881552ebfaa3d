import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ManifestError } from '../../src/errors/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { repoRoot } from '../support/cli.js';

/**
 * Every place of a valid manifest replaced by a value of the wrong type (a mapping whose `toString` is a
 * list, which breaks any string conversion; a list; a number; null; a boolean): the loader reports
 * ManifestErrors at a line, and never throws. The one-pass validator also runs the semantic checks on
 * files the schema faulted, so they must not trust the types there.
 */
describe('wrong-typed values anywhere in a manifest', () => {
  it('are ManifestErrors with a position, never an exception', async () => {
    const base = parse(readFileSync(join(repoRoot, 'examples/small/manifest.yaml'), 'utf8'));
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      if (p.length) paths.push(p);
      if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...p, Array.isArray(v) ? Number(k) : k]);
    };
    walk(base, []);
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-hostile-'));
    const problems: string[] = [];
    let cases = 0;
    for (const val of [{ toString: ['x', '${UNSET}'] }, { valueOf: 1, toString: 2 }, [[]], 7, null, true]) {
      for (const p of paths) {
        const doc = structuredClone(base);
        let o = doc as Record<string | number, unknown>;
        for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
        o[p.at(-1)!] = val;
        const file = join(dir, `m${cases++}.yaml`);
        writeFileSync(file, stringify(doc));
        try {
          const r = await loadManifest([file], { env: {} });
          if (r.errors.some((e) => !(e instanceof ManifestError) || !e.line)) problems.push(`${p.join('.')}: an error without a position`);
        } catch (e) {
          problems.push(`${p.join('.')} = ${JSON.stringify(val)}: threw ${(e as Error).message}`);
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
    expect(problems).toEqual([]);
  });
});
