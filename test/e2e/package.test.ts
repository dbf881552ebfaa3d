import { execa } from 'execa';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

/**
 * Problem 11: the npm package is what the README promises. `npm pack` from the built tree, installed
 * into a temporary prefix with the dependencies from the local npm cache (--prefer-offline: the
 * registry is asked only for what the cache lacks), then run from there. About 15 s, most of it npm.
 */
describe('the packed tarball installs and runs', () => {
  const work = mkdtempSync(join(tmpdir(), 'xrdctl-pack-'));
  const prefix = join(work, 'prefix');
  const env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    XRDCTL_CONFIG_DIR: join(work, 'config'),
    XRDCTL_STATE_DIR: join(work, 'state'),
    XRDCTL_SANDBOX_DIR: join(work, 'sandbox'),
  };
  const xrdctl = (args: string[]) => execa(join(prefix, 'bin', 'xrdctl'), args, { env, extendEnv: false, reject: false, cwd: work, timeout: 60_000 });
  afterAll(async () => {
    if (existsSync(join(prefix, 'bin', 'xrdctl'))) await xrdctl(['sandbox', 'stop']);
    rmSync(work, { recursive: true, force: true });
  });

  it('carries LICENSE, docs/, examples/, completions/ and schema/, not bin/dev.js; installed, --help, sandbox start --detach, health and sandbox ca revoke PREFIX work', async () => {
    const pack = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot, reject: false });
    expect(pack.exitCode, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout);
    const files: string[] = info.files.map((f: { path: string }) => f.path);
    for (const want of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'bin/run.js',
      'oclif.manifest.json',
      'docs/manifest.md',
      'docs/commands.md',
      'examples/small/manifest.yaml',
      'ansible/ansible_collections/xroad/xrdctl/galaxy.yml',
      'completions/xrdctl.bash',
      'schema/manifest.schema.json',
      'dist/commands/apply.js',
    ])
      expect(files, want).toContain(want);
    expect(files).not.toContain('bin/dev.js');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.endsWith('.ts'))).toEqual(['examples/generate-large.ts']);
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the xrdctl authors/);

    const inst = await execa('npm', ['install', '-g', '--prefix', prefix, join(work, info.filename), '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: work,
      reject: false,
      timeout: 120_000,
    });
    expect(inst.exitCode, inst.stderr).toBe(0);

    const help = await xrdctl(['--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^USAGE\n {2}\$ xrdctl \[COMMAND\]/m);

    const start = await xrdctl(['sandbox', 'start', '--detach', '--write-contexts', '--security-servers', '1', '--gc-interval', '300']);
    expect(start.exitCode, start.stderr).toBe(0);
    const health = await xrdctl(['health', '-c', 'sandbox-ss1', '--json']);
    // the initialized preset: token logged out, no keys yet, so CRITICAL (2) with one result per check
    expect(health.exitCode, health.stderr).toBe(2);
    const doc = JSON.parse(health.stdout);
    expect(JSON.stringify(doc)).toMatch(/CRITICAL/);

    // problem 10: the sandbox CA revokes by a unique hash prefix
    expect((await xrdctl(['tls', 'keygen', '--out', 'is.key'])).exitCode).toBe(0);
    expect((await xrdctl(['tls', 'csr', '--key', 'is.key', '--subject', 'CN=is.example.org', '--out', 'is.csr'])).exitCode).toBe(0);
    const sign = await xrdctl(['sandbox', 'ca', 'sign', 'is.csr', '--usage', 'auth', '--out', 'is.crt']);
    expect(sign.exitCode, sign.stderr).toBe(0);
    const hash = new X509Certificate(readFileSync(join(work, 'is.crt'))).fingerprint256.replace(/:/g, '');
    const revoke = await xrdctl(['sandbox', 'ca', 'revoke', hash.slice(0, 10).toLowerCase(), '--json']);
    expect(revoke.exitCode, revoke.stderr).toBe(0);
  }, 150_000);
});
