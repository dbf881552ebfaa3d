/**
 * cert expiry: the certificates part of `xrdctl health` (same classification, same thresholds),
 * one row per certificate, and one row per security server that could not be asked.
 */
import { healthReport, type HealthRequest, type Selection, type Status } from '../health/index.js';
import type { CertHealth } from '../health/model.js';

/** one certificate (the health classification's view) and its server */
export type ExpiryRow = Omit<CertHealth, 'daysToExpiry'> & { server: string };

export interface ExpiryResult {
  servers: { server: string; ok: boolean; status: Status; error: string | null }[];
  certificates: ExpiryRow[];
  worst: Status;
}

export async function certExpiry(sel: Selection, r: HealthRequest = {}): Promise<ExpiryResult> {
  const report = await healthReport(sel, { ...r, groups: ['certificates'], kinds: ['security'] });
  const servers = report.servers.map((s) => {
    // a server not reached, or reached but whose certificates could not be read, is a row of its own
    const failed = s.checks.find((c) => c.group === 'connection' && c.status !== 'OK') ?? s.checks.find((c) => c.status === 'UNKNOWN');
    const ok = s.reached && !s.checks.some((c) => c.status === 'UNKNOWN');
    return { server: s.server, ok, status: s.status, error: ok ? null : (failed?.message ?? 'not checked') };
  });
  const certificates = report.servers
    .flatMap((s) => s.certificates.map(({ daysToExpiry: _d, ...c }) => ({ server: s.server, ...c })))
    .sort((a, b) => a.daysLeft - b.daysLeft);
  return { servers, certificates, worst: report.status };
}
