/**
 * Health results: every check is a named result with a status, a message and a remedy that names
 * the xrdctl command or the operator action that fixes it. Nothing here prints or writes to a server.
 */
export const STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type Status = (typeof STATUSES)[number];

/** Monitoring-plugin convention: the exit code is the rank (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
export const RANK: Record<Status, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** The groups `--only` selects. The connection checks (reachability, TLS, API key) always run. */
export const CHECK_GROUPS = [
  'connection',
  'system',
  'token',
  'certificates',
  'globalconf',
  'ocsp',
  'timestamping',
  'registration',
  'clients',
  'memory',
  'central',
] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];

/** One performance value (nagios perfdata; also the numbers behind the prometheus gauges). */
export interface Perf {
  label: string;
  value: number;
  /** '', 's', '%', 'B' … (nagios units); days are unitless */
  uom?: string;
  /** nagios threshold ranges, e.g. '30:' (alert below 30) or '120' (alert above 120) */
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

export interface CheckResult {
  name: string;
  group: CheckGroup;
  status: Status;
  message: string;
  remedy: string;
  perfdata?: Perf[];
}

/** Every certificate seen, with whether it counts toward the server's status (in use or should be). */
export interface CertHealth {
  usage: 'auth' | 'sign' | 'none';
  hash: string;
  ownerId: string | null;
  status: string;
  active: boolean;
  ocspStatus: string | null;
  notAfter: string;
  daysLeft: number;
  /** fractional days to expiry (prometheus) */
  daysToExpiry: number;
  counts: boolean;
  severity: Status;
  reason: string;
}

export interface ServerHealth {
  server: string;
  kind: 'security' | 'central';
  status: Status;
  /** false when the server could not be asked at all (unreachable, hanging, secret, TLS) */
  reached: boolean;
  durationMs: number;
  checks: CheckResult[];
  certificates: CertHealth[];
}

export interface HealthReport {
  status: Status;
  checkedAt: string;
  servers: ServerHealth[];
}

export function worst(statuses: Iterable<Status>, start: Status = 'OK'): Status {
  let w = start;
  for (const s of statuses) if (RANK[s] > RANK[w]) w = s;
  return w;
}

export function check(name: string, group: CheckGroup, status: Status, message: string, remedy = '', perfdata?: Perf[]): CheckResult {
  return perfdata?.length ? { name, group, status, message, remedy, perfdata } : { name, group, status, message, remedy };
}
