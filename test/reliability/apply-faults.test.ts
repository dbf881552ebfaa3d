import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry, SandboxSnapshot } from '../../src/sandbox/index.js';
import { repoRoot } from '../support/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { editedManifest, manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { serverState } from '../support/state.js';
import { CRASH, KINDS, Matrix, type FaultKind } from './cross.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

/**
 * The time budget (all of test/reliability about as fast as before this suite): the operations called inside apply's
 * steps get a refused key (401: exit 3, the error answer's path) and an answer lost after the operation ran
 * (truncated: the write happened, the rerun must see it); XRD_FULL_CROSS=1 runs all 11 kinds there too (about six
 * minutes on two busy cores).
 * The read phase, the rotation and the health suites run all 11 kinds on every operation.
 */
const FULL = !!process.env.XRD_FULL_CROSS;
const IN_STEP_KINDS = new Set(['401', 'truncated']);

/** The lines of a run that report a failure: an error, a read that failed, a change that failed. */
const named = (out: string): string[] => out.split('\n').filter((l) => /^(error: |warning: \S+: cannot read: |\S+: failed at )/.test(l));

/**
 * Every operation a clean apply of examples/small calls (reads and writes, as the sandbox's request log of that
 * run lists them) × every fault kind, on the first call of that operation. One sandbox for the suite: a cell
 * starts from the snapshot of the state that call met in the clean run (SandboxHandle.snapshotsBefore), so it
 * costs the rest of an apply, never a sandbox start. Each cell: the documented exit code, one error line naming
 * the server and the step, never a stack trace; then (when it failed) the same apply again converges to the state
 * of the clean run, with no outage in the sandbox's record.
 *
 * ss1 and ss2 make the same calls: a cell faults ss1's (or the central server's), and its runs apply the same
 * manifest without ss2 (`ss1.yaml`: nothing is pruned, ss2 is left as the clean run made it), so it does not pay
 * for the other server's half of the apply. Its convergence is ss1's state against ss1's in the clean run.
 */
describe('apply × every fault kind: exit code, one line naming server and step, a rerun converges', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  let expected: unknown;
  let before: Map<string, SandboxSnapshot>;
  let log: RequestLogEntry[];
  let ss1Only: string;
  let planned: Set<string>;
  let cleanStart: SandboxSnapshot;

  beforeAll(async () => {
    // the server's rate limit off (and the CLI's pacing raised to match): the cells are many, the limit is tested elsewhere
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100, rateLimit: false, record: true });
    env = { ...manifestEnv(E.sb), XRDCTL_RATE_LIMIT: '1000' };
    cleanStart = E.sb.snapshot();
    const rec = E.sb.snapshotsBefore();
    const r = await E.runIn(['apply', example, '--yes'], { env });
    before = rec.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    log = E.sb.requests();
    ss1Only = editedManifest(mkdtempSync(join(tmpdir(), 'xrdctl-apply-')), 'ss1.yaml', (doc) => doc.deleteIn(['securityServers', 1]));
    expected = await serverState(E, ss1Only);
    // the calls of apply's read phase: what plan calls (from the state the apply started from)
    E.sb.restore(cleanStart);
    const p = await E.runIn(['plan', ss1Only], { env });
    expect(p.exitCode, p.stderr).toBe(0);
    planned = new Set(E.sb.requests().map((q) => `${q.server} ${q.operationId}`));
  }, 120_000);
  afterAll(async () => E?.stop());

  /** The exit code of a cell; the exceptions, each with why. */
  const want = (q: RequestLogEntry, k: FaultKind): number => {
    // a read that met a reset, a timeout or a cut answer is sent again (src/http: idempotent requests are retried), and the retry is answered
    if (q.method === 'GET' && (k.kind === 'reset' || k.kind === 'timeout' || k.kind === 'truncated')) return 0;
    // access rights: a 409 is read as "granted already". (An add at the central server answered 409 is believed only
    // once the central server lists what was added: the fault's 409 adds nothing, so that step fails, src/engine/kinds/central.ts.)
    if (k.kind === '409' && q.operationId === 'addServiceClientAccessRights') return 0;
    // writes whose answer the engine does not read (it reads the server again): a body of the wrong shape is not seen
    if (k.kind === 'schema' && ['updateMemberName', 'addServiceClientAccessRights', 'addLocalGroupMember'].includes(q.operationId!)) return 0;
    // an answer that is no JSON (none, or a file such as a CSR) has no shape to break: the sandbox's schema fault leaves it alone
    if (k.kind === 'schema' && !/json/.test(q.responseContentType ?? '')) return 0;
    return k.exit;
  };

  it('every operation × every fault kind', async () => {
    const m = new Matrix('apply', E.secrets);
    // the first call of each operation on ss1 or the central server, in the order of the clean run
    const ops = new Map<string, RequestLogEntry>();
    for (const q of log) {
      if (!q.operationId || q.status >= 300 || q.server === 'ss2') continue;
      const key = `${q.server === 'cs' ? 'cs' : 'ss'} ${q.operationId}`;
      if (!ops.has(key)) ops.set(key, q);
    }
    expect(ops.size).toBeGreaterThan(25);
    // apply's read phase is plan's: the cells of an operation plan calls run `plan`, which makes the same calls and
    // writes nothing (so a rerun has nothing to converge), at a tenth of an apply's cost
    const readPhase = (q: RequestLogEntry) => planned.has(`${q.server} ${q.operationId}`);
    const only = process.env.XRD_MATRIX_ONLY;
    for (const [row, q] of ops) {
      if (only && !row.includes(only)) continue;
      const at = before.get(`${q.server} ${q.operationId}`)!;
      expect(at, row).toBeDefined();
      for (const k of KINDS) {
        if (!readPhase(q) && !FULL && !IN_STEP_KINDS.has(k.kind)) {
          m.cut();
          continue;
        }
        const cellEnv = { ...env, XRDCTL_TIMEOUT: k.kind === 'timeout' ? '1' : '20' };
        const attempt = (from: SandboxSnapshot) => {
          E.sb.restore(from);
          E.sb.faults.add({ server: q.server, operation: q.operationId!, times: 1, ...k.spec });
          return E.runIn([readPhase(q) ? 'plan' : 'apply', ss1Only, ...(readPhase(q) ? [] : ['--yes'])], { env: cellEnv });
        };
        let failed = await attempt(at);
        // a call that checks the write before it (the token's state after the login) is not made from the state after
        // that write: such a cell starts where the apply started
        if (E.sb.faults.list().length) failed = await attempt(cleanStart);
        const out = failed.stdout + failed.stderr;
        const problems: string[] = [];
        if (process.env.XRD_MATRIX_SHOW) console.log(`--- ${row} ${k.kind} exit ${failed.exitCode}\n${out}`);
        if (E.sb.faults.list().length) problems.push('the fault was never met');
        m.scan.text(`${row} ${k.kind} stdout`, failed.stdout).text(`${row} ${k.kind} stderr`, failed.stderr);
        const exit = want(q, k);
        if (failed.exitCode !== exit) problems.push(`exit ${failed.exitCode}, expected ${exit}: ${named(out).join(' | ').slice(0, 300)}`);
        if (CRASH.test(failed.stderr)) problems.push(`stack trace or internal error: ${failed.stderr.slice(-300)}`);
        if (failed.exitCode !== 0) {
          // a failed change is one line of the report (`ss1: failed at CHANGE: ss1 step …`), a failed read one warning
          const lines = named(out).filter((l) => l.includes(`${q.server} step `));
          if (lines.length !== 1) problems.push(`${lines.length} lines naming ${q.server} and a step: ${named(out).join(' | ').slice(0, 300)}`);
        }
        E.sb.faults.clear();
        if (readPhase(q)) {
          const wrote = E.sb.requests().some((r) => r.write);
          if (wrote) problems.push('plan wrote');
          m.cell(row, k.kind, failed.exitCode, problems, { converged: !wrote });
          continue;
        }
        let converged = failed.exitCode === 0;
        if (!converged) {
          const rerun = await E.runIn(['apply', ss1Only, '--yes'], { env });
          m.scan.text(`${row} ${k.kind} rerun`, rerun.stdout + rerun.stderr);
          converged = rerun.exitCode === 0;
          if (!converged)
            problems.push(
              `rerun exit ${rerun.exitCode}: ${named(rerun.stdout + rerun.stderr)
                .join(' | ')
                .slice(0, 300)}`,
            );
        }
        const same = JSON.stringify(await serverState(E, ss1Only)) === JSON.stringify(expected);
        if (!same) problems.push('the state differs from the clean run');
        const outages = E.sb.outages();
        if (outages.length) problems.push(`outages: ${JSON.stringify(outages)}`);
        m.cell(row, k.kind, failed.exitCode, problems, { converged: converged && same, lost: !same || outages.length > 0 });
      }
    }
    m.print();
    expect(m.failures).toEqual([]);
    expect(m.scan.findings).toEqual([]);
  }, 600_000);
});
