import type { FaultSpec } from '../../src/sandbox/index.js';
import { SecretScan } from '../support/secret-scan.js';

/**
 * The fault kinds of issue 13's matrix, every one injected by the sandbox itself (its fault table: statuses,
 * a hang, a reset, latency, and answers mangled after the operation ran), each for the first matching call only
 * (`times: 1`): a hiccup, after which the same command again must finish the job.
 */
export interface FaultKind {
  kind: string;
  spec: Omit<FaultSpec, 'server' | 'operation'>;
  /** the exit code README's table gives a command that meets it (apply, rotate) */
  exit: number;
  /** the operation ran on the server (a slow or a mangled answer) */
  ran: boolean;
}

export const KINDS: FaultKind[] = [
  { kind: '500', spec: { status: 500, code: 'internal_error', metadata: ['boom'] }, exit: 1, ran: false },
  { kind: '409', spec: { status: 409, code: 'conflict' }, exit: 1, ran: false },
  { kind: '401', spec: { status: 401, code: 'unauthorized' }, exit: 3, ran: false },
  { kind: '403', spec: { status: 403, code: 'forbidden' }, exit: 3, ran: false },
  { kind: 'timeout', spec: { hang: true }, exit: 1, ran: false },
  { kind: 'reset', spec: { reset: true }, exit: 1, ran: false },
  { kind: 'slow', spec: { latencyMs: 150 }, exit: 0, ran: true },
  { kind: 'truncated', spec: { corrupt: 'truncated' }, exit: 1, ran: true },
  { kind: 'invalid-json', spec: { corrupt: 'invalid-json' }, exit: 1, ran: true },
  { kind: 'html-200', spec: { corrupt: 'html-200' }, exit: 1, ran: true },
  { kind: 'schema', spec: { corrupt: 'schema' }, exit: 1, ran: true },
];

/** A stack trace, or a crash message instead of an error naming server and step. */
export const CRASH = /\n\s+at |internal error|is not a function|Cannot read prop/;

/** The lines of stderr that report an error. */
export const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error:'));

/**
 * One suite's table (operation × fault kind, the exit code per cell), its totals and the secret scan of every
 * output of every cell.
 */
export class Matrix {
  readonly rows = new Map<string, Map<string, string>>();
  readonly failures: string[] = [];
  readonly scan: SecretScan;
  cells = 0;
  /** cells of the full cross left out of this run (the time budget; the suite says which) */
  notRun = 0;
  converged = 0;
  losses = 0;
  private readonly t0 = Date.now();

  constructor(
    readonly name: string,
    secrets: string[],
  ) {
    this.scan = new SecretScan(secrets);
  }

  cut(): void {
    this.notRun++;
  }

  /** Record a cell: its exit code, what was wrong (nothing, when it behaved as documented), and whether its rerun converged. */
  cell(row: string, kind: string, exit: number, problems: string[], o: { converged: boolean; lost?: boolean }): void {
    this.cells++;
    if (o.converged) this.converged++;
    if (o.lost) this.losses++;
    let r = this.rows.get(row);
    if (!r) this.rows.set(row, (r = new Map()));
    r.set(kind, `${problems.length ? '✗' : '✓'} ${exit}`);
    if (problems.length) this.failures.push(`${row} × ${kind}: ${problems.join('; ')}`);
  }

  /** The table, then `fault matrix: N operations × 11 faults = M cells, C converged, L losses, K leaks (suite, time)`. */
  print(): string {
    const kinds = KINDS.map((k) => k.kind);
    const w = Math.max(9, ...[...this.rows.keys()].map((k) => k.length));
    const lines = [`${this.name}: exit code per cell (✓ as documented)`, `${'operation'.padEnd(w)}  ${kinds.map((k) => k.padEnd(13)).join('')}`];
    for (const [name, row] of this.rows) lines.push(`${name.padEnd(w)}  ${kinds.map((k) => (row.get(k) ?? '-').padEnd(13)).join('')}`);
    lines.push(this.totals());
    const text = lines.join('\n');
    console.log(text);
    return text;
  }

  totals(): string {
    return (
      `fault matrix: ${this.rows.size} operations × ${KINDS.length} faults = ${this.cells} cells, ${this.converged} converged, ` +
      `${this.losses} losses, ${this.scan.findings.length} leaks (${this.name}; ${this.failures.length} not as documented; ` +
      `secrets scanned: ${this.scan.secrets.length} in ${this.scan.scanned.texts} outputs; ` +
      `${this.notRun ? `${this.notRun} cells of the full cross not run (XRD_FULL_CROSS=1); ` : ''}${((Date.now() - this.t0) / 1000).toFixed(1)} s)`
    );
  }
}
