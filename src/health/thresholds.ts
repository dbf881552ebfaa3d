import { UsageError } from '../errors/index.js';

/**
 * Every threshold of the health checks, with its default and where the default comes from
 * (xroad-flows §7: derived from the servers' own timing constants; docs/monitoring.md lists them).
 * Durations are seconds. Precedence: default < manifest `health:` < flags.
 */
export interface Thresholds {
  warnDays: number;
  critDays: number;
  registrationPending: number;
  gcAgeWarn: number;
  gcAgeCrit: number;
  ocspAgeWarn: number;
  ocspAgeCrit: number;
  tsaFailCrit: number;
  requestAge: number;
  csGenerationWarn: number;
  csGenerationCrit: number;
  /** per-server time budget for all its checks */
  timeout: number;
  /** oldest acceptable X-Road version of a security server, e.g. 7.6.0 */
  minimumVersion?: string;
}

type NumKey = Exclude<keyof Thresholds, 'minimumVersion'>;

export const THRESHOLD_INFO: Record<NumKey, { def: number; unit: 'days' | 'seconds'; source: string }> = {
  warnDays: { def: 30, unit: 'days', source: 'certificate WARNING below this many days left (§7; X-Road renews ACME certificates 14 days before expiry)' },
  critDays: { def: 7, unit: 'days', source: 'certificate CRITICAL below this many days left (§7)' },
  registrationPending: {
    def: 3600,
    unit: 'seconds',
    source:
      'a registration is normally seen by the SS within ~150 s (60 s generation + 60 s download + 30 s GlobalConfChecker); after an hour it is probably declined',
  },
  gcAgeWarn: { def: 120, unit: 'seconds', source: '2 download cycles of the configuration client (update-interval 60 s)' },
  gcAgeCrit: { def: 600, unit: 'seconds', source: 'confExpireIntervalSeconds 600 s: the globalconf expires, the SS refuses to work' },
  ocspAgeWarn: { def: 1800, unit: 'seconds', source: '1.5 × ocspFetchInterval (1200 s)' },
  ocspAgeCrit: { def: 3600, unit: 'seconds', source: 'ocspFreshnessSeconds 3600 s: cached OCSP answers expire' },
  tsaFailCrit: { def: 7200, unit: 'seconds', source: '50 % of acceptable-timestamp-failure-period (14400 s), after which the message log stops the SS' },
  requestAge: { def: 86400, unit: 'seconds', source: 'a management request waiting longer than your approval SLA (default 1 day)' },
  csGenerationWarn: { def: 70, unit: 'seconds', source: 'generation rate 60 s + 10 s (the CS HAClusterNodeMapper WARN rule)' },
  csGenerationCrit: { def: 600, unit: 'seconds', source: 'confExpireIntervalSeconds 600 s (the CS HAClusterNodeMapper ERROR rule)' },
  timeout: { def: 10, unit: 'seconds', source: 'per-server budget for all checks; an unanswered server is UNKNOWN after it' },
};

export const THRESHOLD_KEYS = [...(Object.keys(THRESHOLD_INFO) as NumKey[]), 'minimumVersion'] as const;

export function defaultThresholds(): Thresholds {
  return Object.fromEntries(Object.entries(THRESHOLD_INFO).map(([k, v]) => [k, v.def])) as unknown as Thresholds;
}

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** '90', '90s', '10m', '2h', '1d' → seconds */
export function parseDuration(v: string | number, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(String(v));
  if (!m) throw new UsageError(`${what}: '${String(v)}' is not a duration`, { hint: 'seconds, or a number with s, m, h, d or w (e.g. 36h)' });
  return Number(m[1]) * UNIT[(m[2] || 's').toLowerCase()]!;
}

/** Apply overrides (from a manifest or `--threshold key=value`) to thresholds; unknown keys are errors. */
export function applyOverrides(base: Thresholds, over: Record<string, unknown>, where: string): Thresholds {
  const out: Thresholds = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (k === 'minimumVersion') {
      if (!/^\d+(\.\d+){0,2}$/.test(String(v))) throw new UsageError(`${where} minimumVersion: '${String(v)}' is not a version like 7.6.0`);
      out.minimumVersion = String(v);
      continue;
    }
    const info = THRESHOLD_INFO[k as NumKey];
    if (!info) throw new UsageError(`${where}: unknown threshold '${k}'`, { hint: `known: ${THRESHOLD_KEYS.join(', ')}` });
    const n = info.unit === 'days' ? Number(v) : parseDuration(v as string | number, `${where} ${k}`);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${where} ${k}: '${String(v)}' is not a non-negative number`);
    out[k as NumKey] = n;
  }
  if (out.critDays > out.warnDays) throw new UsageError(`${where}: critDays (${out.critDays}) is above warnDays (${out.warnDays})`);
  return out;
}

/** `--threshold key=value` flags → an override object */
export function parseThresholdFlags(items: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const i = it.indexOf('=');
    if (i <= 0) throw new UsageError(`--threshold '${it}': expected KEY=VALUE`, { hint: `keys: ${THRESHOLD_KEYS.join(', ')}` });
    out[it.slice(0, i).trim()] = it.slice(i + 1).trim();
  }
  return out;
}

/** 'x.y.z' comparison on the leading numbers of a version string ('7.8.1-1.ubuntu22.04' → [7,8,1]) */
export function versionBelow(info: string, minimum: string): boolean | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(info);
  if (!m) return undefined;
  const have = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const want = minimum.split('.').map(Number).concat([0, 0]).slice(0, 3);
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i]! < want[i]!;
  return false;
}
