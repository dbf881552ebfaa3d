import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { runInProcess } from '../support/inproc.js';
import { editedManifest, manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

/** Plan output shows values (issue 12, problem 6): before → after, steps apart from changes, what is left alone, unread servers. */
describe('plan output', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'xrdctl-plan-out-'));
  const xrdctl = (args: string[]) => runInProcess(args, { ...env, XRDCTL_CONFIG_DIR: E.configDir, XRDCTL_STATE_DIR: join(E.configDir, 'state') });

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
    env = manifestEnv(E.sb);
  });
  afterAll(async () => E?.stop());

  it('token login and the wait for global configuration are steps, not counted as changes', async () => {
    const r = await xrdctl(['plan', example, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = r.json();
    const all = plan.servers.flatMap((s: { changes: { op: string; step?: boolean; summary: string }[] }) => s.changes);
    const steps = all.filter((c: { step?: boolean }) => c.step);
    expect(steps.map((c: { summary: string }) => c.summary)).toEqual(
      expect.arrayContaining(['log in to token 0', expect.stringMatching(/^wait for global configuration/)]),
    );
    expect(plan.summary.steps).toBe(steps.length);
    expect(plan.summary.update).toBe(all.filter((c: { op: string; step?: boolean }) => c.op === 'update' && !c.step).length);

    const human = await xrdctl(['plan', example]);
    expect(human.stdout).toMatch(/\n {2}> log in to token 0 \(step\)\n/);
    expect(human.stdout).toMatch(
      new RegExp(`Plan: ${plan.summary.create} to create, ${plan.summary.update} to change, 0 to delete; ${steps.length} step\\(s\\) on the way`),
    );
  });

  it('every update shows before → after; objects the manifest does not declare are listed as left alone, endpoints included', async () => {
    const applied = await xrdctl(['apply', example, '--yes', '--json']);
    expect(applied.exitCode, applied.stderr.slice(-2000)).toBe(0);
    const ep = await xrdctl(['endpoint', 'add', '-c', 'ss1', '--client', 'DEV:GOV:1001:BUDGET', '--code', 'budget', '--method', 'POST', '--path', '/extra/*']);
    expect(ep.exitCode, ep.stderr).toBe(0);
    const renamed = editedManifest(dir, 'renamed.yaml', (d) => {
      d.setIn(['centralServer', 'members', 0, 'name'], 'Ministry of Finance and Economy');
      d.setIn(['securityServers', 0, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'timeout'], 90);
    });
    const r = await xrdctl(['plan', renamed]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/~ member DEV:GOV:1001: name\n\s+name: "Ministry of Finance" → "Ministry of Finance and Economy"\n/);
    expect(r.stdout).toMatch(/timeout: 60 → 90\n/);
    expect(r.stdout).toMatch(
      /Left alone \(not in the manifest, not pruned\):\n(.*\n)*\s+= ss1: endpoint POST \/extra\/\* of budget \(DEV:GOV:1001:BUDGET\): not in the manifest, left alone/,
    );
    expect(r.stdout).toMatch(/Plan: 0 to create, 2 to change, 0 to delete\. 1 left alone \(=\)\./);
  });

  it('a server that could not be read: the summary says so and the plan exits 1, never "No changes."', async () => {
    const broken = editedManifest(dir, 'unreachable.yaml', (d) => d.setIn(['securityServers', 1, 'url'], 'https://127.0.0.1:1/api/v1'));
    const r = await xrdctl(['plan', broken]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toMatch(/No changes/);
    expect(r.stdout).toMatch(/1 server\(s\) could not be read \(ss2\): the plan is incomplete/);
    const check = await xrdctl(['apply', broken, '--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).not.toMatch(/No changes|Nothing to do/);
  });
});
