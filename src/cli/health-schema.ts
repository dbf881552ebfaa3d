import { Flags } from './oclif.js';
import type { Selection } from '../health/index.js';
import { CHECK_GROUPS, STATUSES } from '../health/model.js';
import { S, item, type JsonSchema } from './schema.js';

const status = S.enum([...STATUSES]);
const perf = item({ label: S.str(), value: S.num(), uom: S.str(), warn: S.str(), crit: S.str(), min: S.num(), max: S.num() }, [
  'uom',
  'warn',
  'crit',
  'min',
  'max',
]);
export const checkSchema = item(
  {
    name: S.str(),
    group: S.enum([...CHECK_GROUPS]),
    status,
    message: S.str(),
    remedy: S.str('the xrdctl command or operator action that fixes it'),
    perfdata: S.arr(perf),
  },
  ['perfdata'],
);
export const certHealthSchema = item({
  usage: S.enum(['auth', 'sign', 'none']),
  hash: S.str(),
  ownerId: S.nullable(S.str()),
  status: S.str(),
  active: S.bool(),
  ocspStatus: S.nullable(S.str()),
  notAfter: S.str(),
  daysLeft: S.int(),
  daysToExpiry: S.num(),
  counts: S.bool('true for the certificate in use, or the one that should be: only these decide the status'),
  severity: status,
  reason: S.str(),
});

export const healthSchema: JsonSchema = S.obj({
  status: status,
  checkedAt: S.str(),
  servers: S.arr(
    item({
      server: S.str(),
      kind: S.enum(['security', 'central']),
      status,
      reached: S.bool(),
      durationMs: S.int(),
      checks: S.arr(checkSchema),
      certificates: S.arr(certHealthSchema),
    }),
  ),
});

/** Threshold and selection flags shared by health and cert expiry. */
export const thresholdFlags = {
  'warn-days': Flags.integer({ min: 0, description: 'certificate WARNING below this many days left [default: 30]' }),
  'crit-days': Flags.integer({ min: 0, aliases: ['critical-days'], description: 'certificate CRITICAL below this many days left [default: 7]' }),
  timeout: Flags.string({ description: 'per-server time budget for all its checks (seconds, or 30s, 1m) [default: 10]' }),
  threshold: Flags.string({ multiple: true, description: 'override any threshold KEY=VALUE (see docs/monitoring.md), e.g. gcAgeWarn=300' }),
};
export const selectionFlags = {
  'all-contexts': Flags.boolean({ description: 'every context', exclusive: ['manifest'] }),
  manifest: Flags.string({ char: 'f', multiple: true, description: 'every server of these manifest files or folders' }),
  server: Flags.string({ multiple: true, dependsOn: ['manifest'], description: 'with -f: only these servers (manifest names)' }),
};

/** -c …, --all-contexts or -f … [--server …] → what to check; the threshold flags → overrides */
export async function selectionOf(f: { context?: string[]; 'all-contexts'?: boolean; manifest?: string[]; server?: string[] }): Promise<Selection> {
  if (f.manifest?.length) return { manifest: await (await import('../services/plan.js')).desiredFrom(f.manifest), servers: f.server };
  return f['all-contexts'] ? { allContexts: true } : { contexts: f.context ?? [] };
}
export async function overridesOf(
  f: { threshold?: string[]; 'warn-days'?: number; timeout?: string },
  crit: number | undefined,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const { parseThresholdFlags } = await import('../health/thresholds.js');
  return { ...parseThresholdFlags(f.threshold), warnDays: f['warn-days'], critDays: crit, timeout: f.timeout, ...extra };
}
