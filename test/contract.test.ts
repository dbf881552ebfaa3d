import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';
import { compiledCommandIds, loadCommandClass } from './support/contract.js';

/**
 * The CLI contract (every command's flags, args and --json result schema) is a public interface
 * that Ansible and CI scripts depend on. It is compared with a committed snapshot, so a change is
 * always deliberate: regenerate with `XRDCTL_UPDATE_SNAPSHOT=1 npx vitest run test/contract.test.ts`
 * and review the diff of test/snapshots/commands.json.
 */
const snapshotFile = join(repoRoot, 'test/snapshots/commands.json');

async function currentContract() {
  const out: Record<string, unknown> = {};
  for (const id of compiledCommandIds()) {
    const cls = await loadCommandClass(id);
    const flags: Record<string, unknown> = {};
    const all = { ...cls.baseFlags, ...cls.flags };
    for (const name of Object.keys(all).sort()) {
      const f = all[name];
      flags[name] = {
        type: f.type,
        ...(f.char ? { char: f.char } : {}),
        ...(f.required ? { required: true } : {}),
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.options ? { options: f.options } : {}),
        ...(f.env ? { env: f.env } : {}),
      };
    }
    const args: Record<string, unknown> = {};
    for (const [name, a] of Object.entries<any>(cls.args ?? {})) args[name] = { required: !!a.required, ...(a.options ? { options: a.options } : {}) };
    out[id] = { flags, args, result: cls.resultSchema };
  }
  return out;
}

describe('CLI contract', () => {
  it('every command has a result schema, and flags + schemas equal the committed snapshot', async () => {
    const current = await currentContract();
    for (const [id, c] of Object.entries<any>(current)) {
      // `help` is oclif's help command kept in commands/ (no plugin loaded at start): it prints help, no --json result
      if (id === 'help') continue;
      expect(c.result?.type, `${id} has no resultSchema`).toBe('object');
    }
    if (process.env.XRDCTL_UPDATE_SNAPSHOT) writeFileSync(snapshotFile, JSON.stringify(current, null, 2) + '\n');
    const committed = JSON.parse(readFileSync(snapshotFile, 'utf8'));
    expect(current, 'the CLI contract changed: review it, then run XRDCTL_UPDATE_SNAPSHOT=1 npx vitest run test/contract.test.ts').toEqual(committed);
  });

  it('oclif.manifest.json is present and not stale (same commands and flags as the compiled code)', async () => {
    const mf = join(repoRoot, 'oclif.manifest.json');
    expect(existsSync(mf), 'oclif.manifest.json missing: run npm run build').toBe(true);
    const manifest = JSON.parse(readFileSync(mf, 'utf8'));
    const ids = compiledCommandIds();
    expect(Object.keys(manifest.commands).sort()).toEqual(ids);
    for (const id of ids) {
      const cls = await loadCommandClass(id);
      const flags = Object.keys({ ...cls.baseFlags, ...cls.flags }).sort();
      expect(Object.keys(manifest.commands[id].flags).sort(), `${id} flags in the manifest`).toEqual(flags);
    }
    const newestDist = Math.max(...ids.map((id) => statSync(join(repoRoot, 'dist/commands', ...id.split(':')) + '.js').mtimeMs));
    expect(statSync(mf).mtimeMs, 'manifest older than the compiled commands: run npm run build').toBeGreaterThanOrEqual(newestDist - 1000);
  });
});
