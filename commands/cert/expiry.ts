import { Flags } from '@oclif/core';
import { XrdCommand } from '../../src/cli/base.js';
import { S, item } from '../../src/cli/schema.js';
import { certExpiry, type ExpiryResult } from '../../src/certs/expiry.js';
import { readContexts } from '../../src/config/contexts.js';
import { ExitCode, UsageError, type XrdError } from '../../src/errors/index.js';

export default class CertExpiry extends XrdCommand<typeof CertExpiry, ExpiryResult> {
  static override summary = 'Days left and OCSP status of every auth and sign certificate, on one server or every security server context.';
  static override examples = ['<%= config.bin %> cert expiry --all-contexts --warn-days 30 --critical-days 7 --json', '<%= config.bin %> cert expiry --manifest manifests/'];
  static override flags = {
    'all-contexts': Flags.boolean({ description: 'every security server context' }),
    manifest: Flags.string({ multiple: true, description: 'every security server of these manifest files or folders' }),
    'warn-days': Flags.integer({ default: 30, min: 0, max: 36500, description: 'WARNING below this many days' }),
    'critical-days': Flags.integer({ default: 7, min: 0, max: 36500, description: 'CRITICAL below this many days' }),
  };
  static override resultSchema = S.obj({
    servers: S.arr(item({ server: S.str(), ok: S.bool(), error: S.nullable(S.str()) })),
    certificates: S.arr(
      item({
        server: S.str(),
        usage: S.enum(['auth', 'sign', 'none']),
        hash: S.str(),
        ownerId: S.nullable(S.str()),
        status: S.str(),
        active: S.bool(),
        ocspStatus: S.nullable(S.str()),
        notAfter: S.str(),
        daysLeft: S.int(),
        severity: S.enum(['OK', 'WARNING', 'CRITICAL']),
        reason: S.str(),
      }),
    ),
    worst: S.enum(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']),
  });

  protected async execute(): Promise<ExpiryResult> {
    const f = this.flags;
    if (f.manifest?.length) {
      const [{ desiredFrom }, { openSession }] = await Promise.all([import('../../src/plan/run.js'), import('../../src/plan/session.js')]);
      const session = await openSession(await desiredFrom(f.manifest), this.connectOptions());
      this.onClose(() => session.close());
      return this.judged(await this.expiryOf([...session.security.values()]));
    }
    const ctxs = f['all-contexts']
      ? Object.entries(readContexts().contexts)
          .filter(([, c]) => c.kind === 'security')
          .map(([name, c]) => ({ name, ...c }))
      : [this.context()];
    if (ctxs.length === 0) throw new UsageError('no security server contexts', { hint: 'xrdctl context add …' });
    const apis = await Promise.all(ctxs.map((c) => this.securityServer(c)));
    return this.judged(await this.expiryOf(apis));
  }

  private failures: XrdError[] = [];

  private expiryOf(apis: Parameters<typeof certExpiry>[0]): Promise<ExpiryResult> {
    return certExpiry(apis, { warnDays: this.flags['warn-days'], criticalDays: this.flags['critical-days'] }, this.failures);
  }

  /**
   * A server that could not be read is never "OK": when none could be, its error is the command's
   * (TLS or auth refusal: exit 3); when some could, the others are reported and the exit code says
   * one was not (3 if that was a TLS or auth refusal, otherwise 1).
   */
  private judged(r: ExpiryResult): ExpiryResult {
    if (!this.failures.length) return r;
    const refusal = this.failures.find((e) => e.exitCode === ExitCode.AUTH);
    if (this.failures.length === r.servers.length) throw refusal ?? this.failures[0]!;
    this.exitCode = refusal ? ExitCode.AUTH : ExitCode.FAILED;
    return r;
  }

  protected override render(r: ExpiryResult): void {
    const o = this.out;
    const color = (s: string) => (s === 'CRITICAL' ? o.out.red(s) : s === 'WARNING' ? o.out.yellow(s) : o.out.green(s));
    o.table(r.certificates, [
      { header: 'SERVER', get: (c) => c.server },
      { header: 'USAGE', get: (c) => c.usage },
      { header: 'HASH', get: (c) => c.hash.slice(0, 16) },
      { header: 'MEMBER', get: (c) => c.ownerId ?? '' },
      { header: 'DAYS', get: (c) => c.daysLeft },
      { header: 'OCSP', get: (c) => c.ocspStatus?.replace('OCSP_RESPONSE_', '') ?? '-' },
      { header: 'STATE', get: (c) => color(c.severity) },
      { header: 'WHY', get: (c) => c.reason },
    ]);
    for (const s of r.servers.filter((x) => !x.ok)) o.warn(`${s.server}: ${s.error}`);
  }
}
