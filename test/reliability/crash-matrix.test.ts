import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { SecretScan } from '../support/secret-scan.js';
import { serverState } from '../support/state.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

/**
 * SIGKILL at every step of an apply: each run is killed (no cleanup, other changes mid-request) as
 * soon as one more change is done, and the next run picks up from what the servers report. The chain
 * ends when a run finds nothing left to do; the end state must equal an uninterrupted apply's, with no
 * outage and no secret in any output.
 */
describe('crash matrix: SIGKILL after every change of an apply, then rerun', () => {
  const envs: SandboxEnv[] = [];
  afterAll(async () => Promise.all(envs.map((e) => e.stop())));

  it('converges to the uninterrupted result with nothing lost', async () => {
    const [clean, E] = await Promise.all([
      sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100 }),
      sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100 }),
    ]);
    envs.push(clean, E);
    const ref = await clean.runIn(['apply', example, '--yes', '--json'], { env: manifestEnv(clean.sb) });
    expect(ref.exitCode, ref.stderr).toBe(0);
    const changes = ref.json().result.servers.flatMap((s: { applied: string[] }) => s.applied).length;
    const expected = await serverState(clean, example);

    const env = manifestEnv(E.sb);
    const scan = new SecretScan(E.secrets);
    let kills = 0;
    let converged = false;
    for (let i = 0; i < changes + 10 && !converged; i++) {
      const r = await E.run(['apply', example, '--yes', '--json', '--timeout', '60'], { env: { ...env, XRDCTL_CRASH_AFTER_CHANGES: '1' } });
      scan.text(`run ${i}`, r.stdout + r.stderr);
      if (r.exitCode === 0) converged = true;
      else {
        // killed: never a half-written error document, never a stack trace
        expect(r.stderr, `run ${i}`).not.toMatch(/\n\s+at /);
        kills++;
      }
    }
    console.log(`crash matrix: ${kills} SIGKILL points over ${changes} changes, converged: ${converged}`);
    expect(converged).toBe(true);
    // each kill came after at least one more change: the chain cannot be longer than the apply
    expect(kills).toBeGreaterThan(changes / 4);
    expect(kills).toBeLessThanOrEqual(changes);
    const plan = await E.runIn(['plan', example, '--detailed-exitcode'], { env });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(await serverState(E, example)).toEqual(expected);
    expect(E.sb.outages()).toEqual([]);
    scan.dir(E.configDir);
    expect(scan.findings).toEqual([]);
  }, 240_000);
});
