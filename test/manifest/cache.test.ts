import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { repoRoot } from '../support/cli.js';

/**
 * The parse cache: a file that loaded without a problem is not parsed again (same bytes, same rules); what a
 * load returns is the same with or without it, positions included, and nothing of a failed load is kept.
 */
const work = mkdtempSync(join(tmpdir(), 'xrdctl-manifest-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sandboxEnv = {
  XRD_CS_URL: 'https://127.0.0.1:4000',
  XRD_CS_TLS_FINGERPRINT: Array.from({ length: 32 }, () => 'AB').join(':'),
  XRD_SS1_URL: 'https://127.0.0.1:4001',
  XRD_SS1_TLS_FINGERPRINT: Array.from({ length: 32 }, () => 'CD').join(':'),
};
const example = readFileSync(join(repoRoot, 'examples/small/manifest.yaml'), 'utf8');
const envVars = [...new Set([...example.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!))];
const fullEnv = Object.fromEntries(
  envVars.map((v) => [
    v,
    sandboxEnv[v as keyof typeof sandboxEnv] ?? (v.includes('FINGERPRINT') ? sandboxEnv.XRD_CS_TLS_FINGERPRINT : `https://127.0.0.1:4${v.length}`),
  ]),
);

function setup(name: string, text = example) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'manifest.yaml');
  writeFileSync(file, text);
  const state = join(dir, 'state');
  const cacheDir = join(state, 'cache', 'manifests');
  return { file, state, cacheDir, env: (extra: Record<string, string> = {}) => ({ ...fullEnv, XRDCTL_STATE_DIR: state, ...extra }) };
}
const strip = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('manifest parse cache', () => {
  it('a second load of the same bytes reads the cache and returns the same manifest, positions and expansions', async () => {
    const s = setup('same');
    const first = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(first.errors).toEqual([]);
    const files = readdirSync(s.cacheDir);
    expect(files).toHaveLength(1);
    expect(statSync(join(s.cacheDir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(s.cacheDir).mode & 0o777).toBe(0o700);
    const second = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(second.errors).toEqual([]);
    expect(strip(second.manifest)).toEqual(strip(first.manifest));
    expect(strip(second.expansions)).toEqual(strip(first.expansions));
    // what was cached is the file as parsed: no value expanded from this run's environment
    const cached = readFileSync(join(s.cacheDir, files[0]!), 'utf8');
    for (const v of Object.values(sandboxEnv)) expect(cached).not.toContain(v);
  });

  it('expansion runs on every load: another environment gives its own values, a missing variable its error at the right line', async () => {
    const s = setup('env');
    await loadManifest([s.file], { env: s.env(), cwd: work });
    const other = await loadManifest([s.file], { env: s.env({ XRD_CS_URL: 'https://127.0.0.1:4999' }), cwd: work });
    expect(JSON.stringify(other.manifest)).toContain('https://127.0.0.1:4999');
    const env = s.env();
    delete (env as Record<string, string | undefined>).XRD_CS_URL;
    const missing = await loadManifest([s.file], { env, cwd: work });
    const line = example.split('\n').findIndex((l) => l.includes('${XRD_CS_URL}')) + 1;
    expect(missing.errors.map((e) => e.oneLine())).toEqual([
      expect.stringMatching(new RegExp(`manifest\\.yaml:${line}:\\d+ centralServer\\.url: .*XRD_CS_URL.* is not set`)),
    ]);
  });

  it('a changed file is parsed again; a failed load writes nothing', async () => {
    const s = setup('changed');
    await loadManifest([s.file], { env: s.env(), cwd: work });
    writeFileSync(s.file, example.replace('instance: DEV', 'instance: DEV\nbogusKey: 1'));
    const bad = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(bad.errors.map((e) => e.oneLine())).toEqual([expect.stringMatching(/manifest\.yaml:\d+:1 bogusKey: unknown key 'bogusKey'/)]);
    expect(readdirSync(s.cacheDir)).toHaveLength(1);
  });

  it('a cache file that is not whole or not of its format is a miss, never an error', async () => {
    const s = setup('corrupt');
    const first = await loadManifest([s.file], { env: s.env(), cwd: work });
    const [f] = readdirSync(s.cacheDir);
    writeFileSync(join(s.cacheDir, f!), '{"format":"xrdctl-manifest-cache/1","key":');
    const again = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(again.errors).toEqual([]);
    expect(strip(again.manifest)).toEqual(strip(first.manifest));
    // and a forged entry of another file's data under this key is refused by its key check
    writeFileSync(join(s.cacheDir, f!), JSON.stringify({ format: 'xrdctl-manifest-cache/1', key: 'other', positions: [], data: { apiVersion: 'x' } }));
    const third = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(strip(third.manifest)).toEqual(strip(first.manifest));
  });

  it('XRDCTL_MANIFEST_CACHE=0 neither reads nor writes it; an unwritable cache costs nothing but the parse', async () => {
    const s = setup('off');
    const off = await loadManifest([s.file], { env: s.env({ XRDCTL_MANIFEST_CACHE: '0' }), cwd: work });
    expect(off.errors).toEqual([]);
    expect(() => readdirSync(s.cacheDir)).toThrow();
    // the cache folder is a symbolic link to elsewhere: the cache is not written through it
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    mkdirSync(join(s.state, 'cache'), { recursive: true });
    symlinkSync(elsewhere, s.cacheDir);
    const linked = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(linked.errors).toEqual([]);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(s.cacheDir);
    mkdirSync(s.cacheDir, { mode: 0o500 });
    chmodSync(s.cacheDir, 0o500);
    const ro = await loadManifest([s.file], { env: s.env(), cwd: work });
    expect(ro.errors).toEqual([]);
  });
});
