import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addContext, listContexts, removeContext, showContext, useContext } from '../../src/config/context-ops.js';
import { contextsPath, readContexts } from '../../src/config/contexts.js';
import { resolveSecret } from '../../src/config/secrets.js';

/** Config without the CLI: contexts.json's rules and secret references. */
function fresh(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'xrdctl-config-'));
  return { XRDCTL_CONFIG_DIR: join(dir, 'config') };
}
const FP = 'AB:'.repeat(31) + 'AB';
const ctx = (name: string) => ({ name, kind: 'security' as const, url: 'https://127.0.0.1:4000/api/v1', apiKey: 'env:XRD_KEY', tlsFingerprint: FP });

describe('contexts', () => {
  it('add, use, show, list, remove; the file is 0600 in a 0700 folder and keeps no secret value', async () => {
    const env = fresh();
    await addContext(ctx('ss1'), { env, use: true });
    await addContext(ctx('ss2'), { env });
    expect(
      listContexts(env)
        .contexts.map((c) => c.name)
        .sort(),
    ).toEqual(['ss1', 'ss2']);
    expect(listContexts(env).current).toBe('ss1');
    await useContext('ss2', env);
    expect(showContext(undefined, env).name).toBe('ss2');
    expect(statSync(contextsPath(env)).mode & 0o777).toBe(0o600);
    expect(statSync(env.XRDCTL_CONFIG_DIR!).mode & 0o777).toBe(0o700);
    expect(readFileSync(contextsPath(env), 'utf8')).toContain('env:XRD_KEY');
    await removeContext('ss1', env);
    expect(listContexts(env).contexts.map((c) => c.name)).toEqual(['ss2']);
  });

  it('names every object has are not contexts, and bad names are refused', async () => {
    const env = fresh();
    await addContext(ctx('ss1'), { env });
    for (const n of ['toString', 'constructor', '__proto__']) expect(() => showContext(n, env)).toThrow(/no context|not a context|unknown/i);
    for (const n of ['', '../x', 'a b', 'ss1\u200b', '-x']) await expect(addContext(ctx(n), { env })).rejects.toThrow();
  });

  it('parallel writers lose nothing (read-modify-write under a lock)', async () => {
    const env = fresh();
    await Promise.all(Array.from({ length: 8 }, (_, i) => addContext(ctx(`p${i}`), { env })));
    expect(Object.keys(readContexts(env).contexts).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `p${i}`));
  });

  it('a contexts file or folder others can write is refused with a remedy; a symlinked file too', async () => {
    const env = fresh();
    await addContext(ctx('ss1'), { env });
    chmodSync(contextsPath(env), 0o666);
    expect(() => readContexts(env)).toThrow(/chmod|writable/i);
    chmodSync(contextsPath(env), 0o600);
    chmodSync(env.XRDCTL_CONFIG_DIR!, 0o777);
    expect(() => readContexts(env)).toThrow(/chmod|writable/i);
    chmodSync(env.XRDCTL_CONFIG_DIR!, 0o700);
    const other = mkdtempSync(join(tmpdir(), 'xrdctl-link-'));
    const env2 = { XRDCTL_CONFIG_DIR: join(other, 'cfg') };
    mkdirSync(env2.XRDCTL_CONFIG_DIR, { mode: 0o700 });
    symlinkSync(contextsPath(env), contextsPath(env2));
    await expect(addContext(ctx('ss9'), { env: env2 })).rejects.toThrow();
    expect(readFileSync(contextsPath(env), 'utf8')).not.toContain('ss9');
  });
});

describe('secret references', () => {
  it('env and file references resolve; a missing one names itself and never the value of another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-secret-'));
    const f = join(dir, 'key');
    writeFileSync(f, 'from-a-file\n', { mode: 0o600 });
    expect(await resolveSecret('env:K', { what: 'API key', env: { K: 'from-env' } })).toBe('from-env');
    expect(await resolveSecret(`file:${f}`, { what: 'API key', env: {} })).toBe('from-a-file');
    await expect(resolveSecret('env:MISSING', { what: 'API key of ss1', env: { K: 'from-env' } })).rejects.toThrow(
      /API key of ss1: environment variable MISSING is not set/,
    );
    await expect(resolveSecret(`file:${join(dir, 'nope')}`, { what: 'PIN', env: {} })).rejects.toThrow(/PIN/);
  });

  it('a prompt reference off a terminal fails at once, naming what to pass instead', async () => {
    await expect(resolveSecret('prompt', { what: 'token PIN of ss1', env: {} })).rejects.toThrow(/token PIN of ss1/);
  });
});
