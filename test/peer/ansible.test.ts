import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const haveAnsible = spawnSync('sh', ['-c', 'command -v ansible-playbook']).status === 0;
if (!haveAnsible && process.env.CI) throw new Error('ansible-playbook is missing: .ci/run installs ansible-core');

/**
 * Debian's real ansible-core runs examples/ansible/ as the README says (from the repository root, the collection
 * xroad.xrdctl from ansible/): check mode sends no write, the first run changes, the second does not, a failing
 * health check fails the play, and a crashed rotation is resumed through xrdctl_rotate.
 */
describe.skipIf(!haveAnsible)('ansible-core drives xrdctl through the xroad.xrdctl collection', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const writes = () => E.sb.requests().filter((r) => r.write).length;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
    env = {
      ...manifestEnv(E.sb),
      XRDCTL_CONFIG_DIR: E.configDir,
      XRDCTL_STATE_DIR: join(E.configDir, 'state'),
      ANSIBLE_COLLECTIONS_PATH: join(repoRoot, 'ansible'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'False',
      ANSIBLE_HOME: join(E.work, 'ansible'),
      ANSIBLE_FORCE_COLOR: '0',
    };
  });
  afterAll(async () => E?.stop());

  const xrdctlVar = `xrdctl='${process.execPath} ${binPath}'`;
  // exactly the README's command line, run from the repository root
  const play = (extra: string[] = []) =>
    execa('ansible-playbook', ['-i', 'examples/ansible/inventory.ini', 'examples/ansible/playbook.yml', '-e', xrdctlVar, ...extra], {
      cwd: repoRoot,
      env,
      reject: false,
      timeout: 180_000,
      all: true,
    });
  const recap = (out: string) => /localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)/.exec(out)?.slice(1).map(Number);
  const noSecrets = (out: string) => {
    for (const s of E.secrets) expect(out.includes(s), 'a secret in Ansible output').toBe(false);
  };

  it('--check sends no write request (the sandbox counts them) and shows the plan as a diff', async () => {
    const before = writes();
    const check = await play(['--check', '--diff']);
    expect(check.exitCode, check.all?.slice(-3000)).toBe(0);
    expect(recap(check.all!)?.[2]).toBe(0);
    expect(check.all).toMatch(/> ss1: log in to token 0\n/);
    expect(check.all).toMatch(/\+ ss1: add client DEV:GOV:1001:BUDGET/);
    expect(writes()).toBe(before);
    noSecrets(check.all!);
  }, 120_000);

  it('the first run reports changed, the second run (and its idempotence task) not changed; health passes with warnings', async () => {
    const run = await play();
    expect(run.exitCode, run.all?.slice(-3000)).toBe(0);
    expect(run.all).toMatch(/TASK \[Apply the manifest\][^\n]*\nchanged: \[localhost\]/);
    expect(run.all).toMatch(/TASK \[Apply again, idempotent \(nothing to do\)\][^\n]*\nok: \[localhost\]/);
    expect(run.all).toMatch(/TASK \[Every server of the manifest is healthy[^\n]*\n(\[WARNING\][^\n]*\n(?:[^\n]*\n)*?)?ok: \[localhost\]/);
    const before = writes();
    const again = await play();
    expect(again.exitCode, again.all?.slice(-3000)).toBe(0);
    // the plan task (check mode) and both applies report no change
    expect(recap(again.all!)?.[1]).toBe(0);
    expect(writes()).toBe(before);
    noSecrets(run.all! + again.all!);
  }, 180_000);

  it('a failing health check fails the play', async () => {
    const out = await E.run(['token', 'logout', '-c', 'ss1', '--yes']);
    expect(out.exitCode, out.stderr).toBe(0);
    const r = await play(['--tags', 'health']);
    expect(r.exitCode).toBe(2);
    expect(recap(r.all!)?.[2]).toBe(1);
    expect(r.all).toMatch(/xrdctl health: CRITICAL: ss1 token 0: [^;]*logged out/);
    await E.run(['token', 'login', '-c', 'ss1']);
  }, 120_000);

  it('xrdctl_rotate: a crashed rotation is resumed (resume: auto), then there is nothing left to resume', async () => {
    const adhoc = (args: string) =>
      execa(
        'ansible',
        ['localhost', '-i', 'examples/ansible/inventory.ini', '-m', 'xroad.xrdctl.xrdctl_rotate', '-a', `xrdctl='${process.execPath} ${binPath}' ${args}`],
        { cwd: repoRoot, env, reject: false, timeout: 120_000, all: true },
      );
    const crashed = await adhoc(
      "usage=auth context=ss1 adapter=server-acme ca='Sandbox CA' extra_args='--propagation,0' environment='{\"XRDCTL_CRASH_AFTER_STEP\": \"activate\"}'",
    );
    expect(crashed.exitCode, crashed.all).not.toBe(0);
    const resumed = await adhoc('resume=auto');
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.all).toMatch(/CHANGED/);
    expect(resumed.all).toMatch(/"status": "done"/);
    const nothing = await adhoc('resume=auto');
    expect(nothing.exitCode, nothing.all).toBe(0);
    expect(nothing.all).toMatch(/localhost \| SUCCESS/);
  }, 120_000);
});
