import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry, SandboxSnapshot } from '../../src/sandbox/index.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { rotationManifest, routineRotation } from '../rotation/support.js';
import { CRASH, KINDS, Matrix, errorLines, type FaultKind } from './cross.js';

/**
 * The time budget (all of test/reliability about as fast as before this suite): every write of the runbook gets an
 * error answer (500), a refused key (401), a connection reset before it ran and an answer lost after it ran
 * (truncated), the reads between a mangled answer (html-200), which the HTTP layer does not retry away;
 * XRD_FULL_CROSS=1 runs all 11 kinds on every operation (about five minutes on two busy cores).
 */
const FULL = !!process.env.XRD_FULL_CROSS;
const WRITE_KINDS = new Set(['500', '401', 'reset', 'truncated']);
const READ_KINDS = new Set(['html-200']);

const rotate = [...routineRotation];

/**
 * Every operation a routine auth rotation calls (docs/runbooks/routine-rotation.md: new key, CA, import,
 * register, approve, activate, verify, disable, unregister and delete the old one; the reads between, as the
 * sandbox's request log of a clean rotation lists them) × every fault kind, on the first call of that operation.
 * One sandbox for the suite, the state before the rotation restored per cell, a journal folder per cell. Each
 * cell: the documented exit code (the rotation stops with a journal, or goes on when the retry of a read was
 * answered), one error line naming the server and the step, never a stack trace; then `rotate resume ID` (or the
 * same command, when the rotation stopped before its journal existed) converges on the certificates of a clean
 * rotation, and the sandbox recorded no outage: the old working certificate was never lost.
 */
describe('routine rotation × every fault kind: a resumable journal, a resume that converges, no outage', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  let start: SandboxSnapshot;
  let log: RequestLogEntry[];
  let reference: string[];

  const certs = async (stateDir: string) => {
    const r = await E.runIn(['cert', 'list', '-c', 'ss1', '--json'], { env: { ...env, XRDCTL_STATE_DIR: stateDir } });
    if (r.exitCode !== 0) return [`cert list exit ${r.exitCode}: ${r.stderr.slice(0, 200)}`];
    return (r.json().certificates as { usage: string; status: string; active: boolean; ocspStatus?: string }[])
      .map((c) => `${c.usage} ${c.status} ${c.active ? 'active' : 'inactive'} ${c.ocspStatus ?? '-'}`)
      .sort();
  };

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100, rateLimit: false, record: true });
    env = { ...manifestEnv(E.sb), XRDCTL_RATE_LIMIT: '1000' };
    const r = await E.runIn(['apply', rotationManifest, '--yes'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    start = E.sb.snapshot();
    E.sb.clearRequests();
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-rot-'));
    const clean = await E.runIn(rotate, { env: { ...env, XRDCTL_STATE_DIR: dir } });
    expect(clean.exitCode, clean.stderr).toBe(0);
    log = E.sb.requests();
    reference = await certs(dir);
    expect(reference).toEqual(['auth REGISTERED active OCSP_RESPONSE_GOOD', 'sign REGISTERED active OCSP_RESPONSE_GOOD']);
  }, 120_000);
  afterAll(async () => E?.stop());

  /** The exit code of a cell; the exceptions, each with why. */
  const want = (q: RequestLogEntry, k: FaultKind): number => {
    // a read that met a reset, a timeout or a cut answer is sent again (src/http retries idempotent requests), and the retry is answered
    if (q.method === 'GET' && (k.kind === 'reset' || k.kind === 'timeout' || k.kind === 'truncated')) return 0;
    // an answer that is no JSON (none, or a file such as a CSR) has no shape to break: the sandbox's schema fault leaves it alone
    if (k.kind === 'schema' && !/json/.test(q.responseContentType ?? '')) return 0;
    // the server's address is only a default for the new CSR's subject: the CSR is made without it (src/certs/lifecycle.ts),
    // and the register step, which needs it, reads it again
    if (q.operationId === 'getServerAddress') return 0;
    return k.exit;
  };

  it('every operation × every fault kind', async () => {
    const m = new Matrix('rotation', E.secrets);
    const ops = new Map<string, RequestLogEntry>();
    for (const q of log) if (q.operationId && q.status < 300 && !ops.has(`${q.server} ${q.operationId}`)) ops.set(`${q.server} ${q.operationId}`, q);
    expect(ops.size).toBeGreaterThan(8);
    const only = process.env.XRD_MATRIX_ONLY;
    for (const [row, q] of ops) {
      if (only && !row.includes(only)) continue;
      for (const k of KINDS) {
        if (!FULL && !(q.write ? WRITE_KINDS : READ_KINDS).has(k.kind)) {
          m.cut();
          continue;
        }
        E.sb.restore(start);
        const stateDir = mkdtempSync(join(tmpdir(), 'xrdctl-rot-'));
        const cellEnv = { ...env, XRDCTL_STATE_DIR: stateDir, XRDCTL_TIMEOUT: k.kind === 'timeout' ? '1' : '20' };
        E.sb.faults.add({ server: q.server, operation: q.operationId!, times: 1, ...k.spec });
        const failed = await E.runIn(rotate, { env: cellEnv });
        const problems: string[] = [];
        if (E.sb.faults.list().length) problems.push('the fault was never met');
        E.sb.faults.clear();
        m.scan.text(`${row} ${k.kind} stdout`, failed.stdout).text(`${row} ${k.kind} stderr`, failed.stderr);
        const exit = want(q, k);
        if (failed.exitCode !== exit) problems.push(`exit ${failed.exitCode}, expected ${exit}: ${errorLines(failed.stderr).join(' | ').slice(0, 300)}`);
        if (CRASH.test(failed.stderr)) problems.push(`stack trace or internal error: ${failed.stderr.slice(-300)}`);
        let converged = failed.exitCode === 0;
        if (!converged) {
          // one error line, naming the server and the step (a rotation that waits, exit 4, says what it waits for) (the JSON document on stdout holds the journal's steps)
          // (a rotation that stopped is reported per rotation, as `rotate auth --all` reports each of many)
          const lines = failed.stderr.split('\n').filter((l) => /^(error|warning): /.test(l));
          if (failed.exitCode !== 4 && (lines.length !== 1 || !/^(error|warning): (ss1|cs) step [a-z0-9-]+: /.test(lines[0]!)))
            problems.push(`not one error line naming the server and the step: ${lines.join(' | ').slice(0, 300)}`);
          const open = (await E.runIn(['rotate', 'status', '--json'], { env: cellEnv }))
            .json()
            .rotations.filter((j: { status: string }) => j.status !== 'done' && j.status !== 'aborted') as { id: string }[];
          const next = open.length === 1 ? ['rotate', 'resume', open[0]!.id, '--yes'] : rotate;
          const again = await E.runIn(next, { env: { ...cellEnv, XRDCTL_TIMEOUT: '20' } });
          m.scan.text(`${row} ${k.kind} resume`, again.stdout + again.stderr);
          converged = again.exitCode === 0;
          if (process.env.XRD_MATRIX_SHOW) console.log(`--- ${row} ${k.kind}\n${failed.stderr}\n--- ${next.join(' ')}\n${again.stderr}`);
          if (!converged)
            problems.push(
              `${next[1]} exit ${again.exitCode}: ${again.stderr
                .split('\n')
                .filter((l) => /^(error|warning)/.test(l))
                .join(' | ')
                .slice(0, 400)}`,
            );
        }
        const got = await certs(stateDir);
        const same = JSON.stringify(got) === JSON.stringify(reference);
        if (!same) problems.push(`certificates ${got.join(', ')}`);
        const outages = E.sb.outages();
        if (outages.length) problems.push(`outages: ${JSON.stringify(outages)}`);
        m.scan.dir(stateDir);
        m.cell(row, k.kind, failed.exitCode, problems, { converged: converged && same, lost: outages.length > 0 });
      }
    }
    m.print();
    expect(m.failures).toEqual([]);
    expect(m.scan.findings).toEqual([]);
  }, 600_000);
});
