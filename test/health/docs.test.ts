/** docs/monitoring.md lists every threshold with its default, and README's exit-code table has health's codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_GROUPS } from '../../src/health/model.js';
import { THRESHOLD_INFO } from '../../src/health/thresholds.js';
import { repoRoot } from '../support/cli.js';

describe('monitoring docs', () => {
  const doc = readFileSync(join(repoRoot, 'docs/monitoring.md'), 'utf8');
  it.each(Object.entries(THRESHOLD_INFO))('threshold %s: its default and source', (key, info) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row, `docs/monitoring.md has a row for ${key}`).toBeTruthy();
    expect(row).toContain(`| ${info.def} |`);
    // the same source as the code says (backticks aside)
    expect(row!.replace(/`/g, '')).toContain(info.source);
  });
  it('every check group is named', () => {
    for (const g of CHECK_GROUPS) expect(doc).toContain(`\`${g}\``);
  });
  it('README documents the health exit codes', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| 3 \| UNKNOWN: a server could not be asked/);
    expect(readme).toContain('docs/monitoring.md');
  });
});
