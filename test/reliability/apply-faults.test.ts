import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { serverState } from '../support/state.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

describe('a failure at any apply step, then a rerun, converges to the clean result', () => {
  const envs: SandboxEnv[] = [];
  afterAll(async () => Promise.all(envs.map((e) => e.stop())));
  const fresh = async () => {
    const E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100 });
    envs.push(E);
    return E;
  };

  it('walks every write operation of a clean apply', async () => {
    const clean = await fresh();
    const r = await clean.run(['apply', example, '--yes', '--json'], { env: manifestEnv(clean.sb) });
    expect(r.exitCode, r.stderr).toBe(0);
    const expected = await serverState(clean, example);
    const ops = [
      ...new Set(
        clean.sb
          .requests()
          .filter((q) => q.write)
          .map((q) => q.operationId!),
      ),
    ];
    expect(ops.length).toBeGreaterThan(10);
    await clean.stop();

    const report: string[] = [];
    // each operation gets a sandbox of its own; three at a time
    const queue = [...ops];
    const worker = async () => {
      for (let op = queue.shift(); op; op = queue.shift()) {
        const E = await fresh();
        const env = manifestEnv(E.sb);
        E.sb.faults.add({ server: '*', operation: op, status: 500, code: 'internal_error', times: 1 });
        const failed = await E.runIn(['apply', example, '--yes', '--json', '--timeout', '30'], { env });
        // the failure is reported as such, with the server and step, never a stack trace
        expect(failed.exitCode, `${op}: ${failed.stderr.slice(-500)}`).toBe(1);
        expect(failed.stderr).not.toMatch(/\n\s+at /);
        const rerun = await E.runIn(['apply', example, '--yes', '--json', '--timeout', '30'], { env });
        expect(rerun.exitCode, `${op} rerun: ${rerun.stderr.slice(-800)}`).toBe(0);
        const after = await E.runIn(['plan', example, '--detailed-exitcode'], { env });
        expect(after.exitCode, `${op}: still pending after rerun\n${after.stdout}`).toBe(0);
        expect(await serverState(E, example), op).toEqual(expected);
        report.push(op);
        await E.stop();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    report.sort();
    ops.sort();
    expect(report).toEqual(ops);
  }, 300_000);
});
