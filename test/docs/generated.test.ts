import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

/** Generated docs: docs/commands.md from the commands, docs/manifest.md's reference from the JSON Schema; stale is a failure. */
describe('generated docs are current', () => {
  it('docs/commands.md matches the commands (npm run docs:commands)', async () => {
    const r = await execa('node', ['scripts/gen-command-docs.mjs', '--check'], { cwd: repoRoot, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const md = readFileSync(join(repoRoot, 'docs/commands.md'), 'utf8');
    const m = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8'));
    for (const id of Object.keys(m.commands)) expect(md, id).toContain(`### xrdctl ${id.split(':').join(' ')}\n`);
  });

  it("docs/manifest.md's reference section matches schema/manifest.schema.json (npm run docs:manifest)", async () => {
    const r = await execa('node', ['scripts/gen-manifest-docs.mjs', '--check'], { cwd: repoRoot, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const md = readFileSync(join(repoRoot, 'docs/manifest.md'), 'utf8');
    expect(md).toMatch(/\| `securityServers\[\]\.clients\[\]\.id` \| string \| yes \|/);
  });
});
