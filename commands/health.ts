import { Flags } from '../src/cli/oclif.js';
import type { Interfaces } from '@oclif/core';
import { XrdCommand } from '../src/cli/base.js';
import { healthSchema, overridesOf, selectionFlags, selectionOf, thresholdFlags } from '../src/cli/health-schema.js';
import { UsageError, type XrdError } from '../src/errors/index.js';
import { CHECK_GROUPS, RANK, type CheckGroup, type HealthReport } from '../src/health/index.js';
import { humanHealth, nagiosHealth, prometheusHealth } from '../src/output/health.js';

type HealthFlags = Interfaces.InferredFlags<(typeof Health)['flags']> & { json: boolean; verbose: boolean };

export default class Health extends XrdCommand<typeof Health, HealthReport> {
  static override summary = 'Check security and central servers: connection, certificates, token, globalconf, OCSP, timestamping, clients, requests.';
  static override ownSignals = true; // Ctrl-C ends a read-only watch (or the foreground sandbox) at once
  static override description =
    'Reads only (an observer-only API key is enough). Exit codes follow the monitoring-plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; the worst result wins.';
  static override examples = [
    '<%= config.bin %> health -c ss1',
    '<%= config.bin %> health --all-contexts --format nagios',
    '<%= config.bin %> health -f manifests/ --server ss1 --only certificates --warn-days 45',
    '<%= config.bin %> health --all-contexts --format prometheus > /var/lib/node_exporter/textfile/xrdctl.prom.$$',
    '<%= config.bin %> health --all-contexts --watch 30',
  ];
  static override flags = {
    // -c may be given several times here (a command's flag replaces the base flag of that name)
    context: Flags.string({
      char: 'c',
      multiple: true,
      env: 'XRDCTL_CONTEXT',
      helpGroup: 'GLOBAL',
      description: 'contexts to check (several allowed); default: the current context',
    }),
    ...selectionFlags,
    ...thresholdFlags,
    'request-age': Flags.string({ description: 'central server: WARNING for management requests waiting longer (seconds, or 12h, 2d) [default: 1d]' }),
    only: Flags.string({ multiple: true, options: [...CHECK_GROUPS], description: 'only these check groups (the connection checks always run)' }),
    format: Flags.string({ options: ['human', 'nagios', 'prometheus'], default: 'human', description: 'output format (--json wins)' }),
    watch: Flags.integer({ min: 1, description: 'rerun every SECONDS and redraw (not with --json)' }),
    count: Flags.integer({ min: 1, default: 100_000, description: 'with --watch: stop after this many runs' }),
  };
  static override resultSchema = healthSchema;

  protected override exitCodeFor(_err: XrdError): number {
    return RANK.UNKNOWN; // monitoring-plugin convention: a check that cannot run is UNKNOWN
  }

  protected async execute(): Promise<HealthReport> {
    const f = this.flags as unknown as HealthFlags;
    if (f.watch && f.json) throw new UsageError('--watch redraws for people: use --json without --watch (run it from cron or a timer)');
    const { healthReport, repeatReport } = await import('../src/health/index.js');
    const sel = await selectionOf(f);
    const overrides = await overridesOf(f, f['crit-days'], { requestAge: f['request-age'] });
    const run = () => healthReport(sel, { overrides, groups: f.only as CheckGroup[] | undefined });
    const report = await repeatReport(run, { everySeconds: f.watch, count: f.watch ? f.count : 1, show: (r) => this.out.redraw(this.text(r)) });
    this.exitCode = RANK[report.status];
    return report;
  }

  private text(r: HealthReport): string {
    const f = this.flags as unknown as HealthFlags;
    if (f.format === 'nagios') return nagiosHealth(r);
    if (f.format === 'prometheus') return prometheusHealth(r).trimEnd();
    return humanHealth(r, this.out.out, { verbose: f.verbose });
  }

  protected override render(r: HealthReport): void {
    if ((this.flags as unknown as HealthFlags).watch) this.out.redraw(this.text(r));
    else this.out.print(this.text(r));
  }
}
