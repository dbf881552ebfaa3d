import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const haveAnsible = spawnSync('sh', ['-c', 'command -v ansible-playbook']).status === 0;
if (!haveAnsible && process.env.CI) throw new Error('ansible-playbook is missing: .ci/run installs ansible-core');

/** A real ansible-core playbook drives xrdctl: check mode, apply, idempotent second apply. */
describe.skipIf(!haveAnsible)('ansible-core runs the example playbook against the sandbox', () => {
  let E: SandboxEnv;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
  });
  afterAll(async () => E?.stop());

  const play = (extra: string[] = []) =>
    execa('ansible-playbook', ['-i', 'localhost,', '-c', 'local', join(repoRoot, 'examples/ansible/playbook.yml'), '-e', `xrdctl='${process.execPath} ${binPath}'`, '-e', `manifest=${join(repoRoot, 'examples/small/manifest.yaml')}`, ...extra], {
      env: { ...manifestEnv(E.sb), XRDCTL_CONFIG_DIR: E.configDir, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False', ANSIBLE_HOME: join(E.work, 'ansible') },
      reject: false,
      timeout: 180_000,
    });

  it('--check changes nothing; a real run applies once, then reports no change', async () => {
    const before = E.sb.requests().filter((r) => r.write).length;
    const check = await play(['--check']);
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
    expect(E.sb.requests().filter((r) => r.write).length).toBe(before);

    const run = await play();
    expect(run.exitCode, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toMatch(/TASK \[Apply the manifest\][^\n]*\nchanged: \[localhost\]/);
    expect(run.stdout).toMatch(/TASK \[Apply again, idempotent \(nothing to do\)\][^\n]*\nok: \[localhost\]/);
    expect(run.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=1\s+unreachable=0\s+failed=0/);

    const again = await play();
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
  }, 240_000);
});
