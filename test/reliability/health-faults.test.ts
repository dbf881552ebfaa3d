import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/index.js';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { CRASH, KINDS, Matrix, type FaultKind } from './cross.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');
/**
 * The time budget (all of test/reliability about as fast as before this suite): the first read of each server (the
 * version, which proves the connection) gets all 11 kinds; the other reads an error answer (500), a refused key
 * (401) and a mangled answer (html-200); XRD_FULL_CROSS=1 runs all 11 kinds on every read (about a minute).
 */
const FULL = !!process.env.XRD_FULL_CROSS;
const LATER_KINDS = new Set(['500', '401', 'html-200']);
const RANK: Record<string, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };
const NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

interface Row {
  server: string;
  status: string;
  checks: { name: string; status: string; message: string }[];
}

/**
 * Every read `health` makes of a working instance (the servers of examples/small after apply, each security
 * server with its central server for registration lookups; the reads as the sandbox's request log of a clean run
 * lists them) × every fault kind. Health follows the monitoring convention instead of the error exit codes: the
 * faulted server's row says UNKNOWN for a read it could not make (CRITICAL for a refused API key, WARNING for a key
 * that may not read the version: docs/monitoring.md), with the server and step in the check's message; the other
 * servers' rows are what they were, and the exit code is the worst row. Then the same health run, without the
 * fault, is the clean one again.
 */
describe('health × every fault kind: the faulted row, the exit code of the worst row, never a stack trace', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  let log: RequestLogEntry[];
  let clean: Row[];
  let cleanExit: number;
  // ss1 and its central server (ss2 is asked the same as ss1)
  const args = ['health', '-c', 'ss1', '-c', 'cs', '--json'];
  const rows = (stdout: string): Row[] => (JSON.parse(stdout) as { servers: Row[] }).servers;

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100, rateLimit: false, record: true });
    env = { ...manifestEnv(E.sb), XRDCTL_RATE_LIMIT: '1000' };
    const r = await E.runIn(['apply', example, '--yes'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    E.sb.clearRequests();
    const h = await E.runIn(args, { env });
    log = E.sb.requests();
    clean = rows(h.stdout);
    cleanExit = h.exitCode;
    // the sandbox's security servers have no timestamping service configured: WARNING, as a real one would say
    expect(clean.map((s) => s.status)).toEqual(['WARNING', 'OK']);
  }, 120_000);
  afterAll(async () => E?.stop());

  /** The faulted server's row ('as clean': what it was without the fault); the exceptions, each with why. */
  const wantRow = (q: RequestLogEntry, k: FaultKind, first: boolean): string => {
    // slow is only slow; a read that met a reset, a timeout or a cut answer is sent again (health retries once) and answered
    if (k.kind === 'slow' || (q.method === 'GET' && (k.kind === 'reset' || k.kind === 'truncated'))) return 'as clean';
    // the first read (the version) proves the connection: a refused key is CRITICAL, a key that may not read it a WARNING
    if (first && k.kind === '401') return 'CRITICAL';
    if (first && k.kind === '403') return 'WARNING';
    return 'UNKNOWN';
  };

  it('every read × every fault kind', async () => {
    const m = new Matrix('health', E.secrets);
    const ops = new Map<string, RequestLogEntry>();
    // ss1 and ss2 are asked the same: the reads of ss1 and of the central server
    for (const q of log) if (q.operationId && q.server !== 'ss2' && !ops.has(`${q.server} ${q.operationId}`)) ops.set(`${q.server} ${q.operationId}`, q);
    const firsts = new Set([...new Set(log.map((q) => q.server))].map((s) => `${s} ${log.find((q) => q.server === s)!.operationId}`));
    expect(ops.size).toBeGreaterThan(10);
    for (const [row, q] of ops) {
      const cells: [string, number, string[]][] = [];
      for (const k of KINDS) {
        if (!FULL && !firsts.has(row) && !LATER_KINDS.has(k.kind)) {
          m.cut();
          continue;
        }
        E.sb.faults.add({ server: q.server, operation: q.operationId!, times: 1, ...k.spec });
        const got = await E.runIn(k.kind === 'timeout' ? [...args, '--timeout', '1'] : args, { env });
        E.sb.faults.clear();
        m.scan.text(`${row} ${k.kind} stdout`, got.stdout).text(`${row} ${k.kind} stderr`, got.stderr);
        const problems: string[] = [];
        if (CRASH.test(got.stderr)) problems.push(`stack trace or internal error: ${got.stderr.slice(-300)}`);
        let servers: Row[] = [];
        try {
          servers = rows(got.stdout);
        } catch {
          problems.push(`not one JSON document: ${got.stdout.slice(0, 200)} ${got.stderr.slice(0, 200)}`);
        }
        const want = wantRow(q, k, firsts.has(row));
        for (const s of servers) {
          const before = clean.find((c) => c.server === s.server)!.status;
          const expected = s.server === q.server && want !== 'as clean' ? want : before;
          if (s.status !== expected)
            problems.push(
              `${s.server} ${s.status}, expected ${expected}: ${s.checks
                .filter((c) => c.status !== 'OK')
                .map((c) => `${c.name}: ${c.message}`)
                .join(' | ')
                .slice(0, 300)}`,
            );
        }
        const faulted = servers.find((s) => s.server === q.server);
        if (want !== 'as clean' && faulted && !faulted.checks.some((c) => c.status !== 'OK' && c.message.includes(`${q.server} step `)))
          problems.push(`no check of ${q.server} names the server and the step`);
        // the exit code is the worst row's (the monitoring convention), from the rows as they should be
        const exit = Math.max(...clean.map((c) => RANK[c.server === q.server && want !== 'as clean' ? want : c.status]!));
        if (got.exitCode !== exit) problems.push(`exit ${got.exitCode}, expected ${exit} (${NAMES[exit]})`);
        cells.push([k.kind, got.exitCode, problems]);
      }
      // health writes nothing: once the faults of a row are gone, one run without a fault is the clean one again
      const again = await E.runIn(args, { env });
      m.scan.text(`${row} again`, again.stdout + again.stderr);
      const converged = again.exitCode === cleanExit && JSON.stringify(rows(again.stdout).map((s) => s.status)) === JSON.stringify(clean.map((s) => s.status));
      for (const [kind, exit, problems] of cells) {
        if (!converged) problems.push(`without the fault: exit ${again.exitCode}`);
        m.cell(row, kind, exit, problems, { converged });
      }
    }
    m.print();
    expect(m.failures).toEqual([]);
    expect(m.scan.findings).toEqual([]);
  }, 300_000);
});
