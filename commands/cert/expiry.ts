import { Flags } from '../../src/cli/oclif.js';
import type { Interfaces } from '@oclif/core';
import { XrdCommand } from '../../src/cli/base.js';
import { overridesOf, selectionFlags, selectionOf, thresholdFlags } from '../../src/cli/health-schema.js';
import { S, item } from '../../src/cli/schema.js';
import type { ExpiryResult } from '../../src/certs/expiry.js';
import { RANK, STATUSES } from '../../src/health/index.js';
import { renderCertExpiry } from '../../src/output/views.js';

type ExpiryFlags = Interfaces.InferredFlags<(typeof CertExpiry)['flags']>;
const status = S.enum([...STATUSES]);

export default class CertExpiry extends XrdCommand<typeof CertExpiry, ExpiryResult> {
  static override summary = 'Days left and OCSP status of every auth and sign certificate (the certificates part of xrdctl health).';
  static override description =
    'Only the certificates in use, or that should be, decide the status; replaced and disabled ones are informational. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a server could not be asked), like xrdctl health.';
  static override examples = [
    '<%= config.bin %> cert expiry --all-contexts --warn-days 30 --critical-days 7 --json',
    '<%= config.bin %> cert expiry --manifest manifests/',
  ];
  static override flags = {
    context: Flags.string({
      char: 'c',
      multiple: true,
      env: 'XRDCTL_CONTEXT',
      helpGroup: 'GLOBAL',
      description: 'contexts to check (several allowed); default: the current context',
    }),
    ...selectionFlags,
    ...(({ 'crit-days': _c, ...rest }) => rest)(thresholdFlags),
    'critical-days': Flags.integer({ min: 0, aliases: ['crit-days'], description: 'certificate CRITICAL below this many days left [default: 7]' }),
  };
  static override resultSchema = S.obj({
    servers: S.arr(item({ server: S.str(), ok: S.bool(), status, error: S.nullable(S.str()) })),
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
        counts: S.bool(),
        severity: status,
        reason: S.str(),
      }),
    ),
    worst: status,
  });

  protected async execute(): Promise<ExpiryResult> {
    const f = this.flags as unknown as ExpiryFlags;
    const { certExpiry } = await import('../../src/certs/expiry.js');
    const r = await certExpiry(await selectionOf(f), { overrides: await overridesOf(f, f['critical-days']) });
    this.exitCode = RANK[r.worst];
    return r;
  }

  protected override render(r: ExpiryResult): void {
    renderCertExpiry(this.out, r);
  }
}
