import type { SecurityServerApi } from '../api/security-server.js';
import { XrdError } from '../errors/index.js';
import { certRows } from './inventory.js';

export interface ExpiryRow {
  server: string;
  usage: 'auth' | 'sign' | 'none';
  hash: string;
  ownerId: string | null;
  status: string;
  active: boolean;
  ocspStatus: string | null;
  notAfter: string;
  daysLeft: number;
  severity: 'OK' | 'WARNING' | 'CRITICAL';
  reason: string;
}

export interface ExpiryResult {
  servers: { server: string; ok: boolean; error: string | null }[];
  certificates: ExpiryRow[];
  worst: 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
}

const rank = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

/** Days left and OCSP status of every auth and sign certificate, classified by the thresholds. */
export async function certExpiry(apis: SecurityServerApi[], o: { warnDays: number; criticalDays: number; now?: Date }, failures: XrdError[] = []): Promise<ExpiryResult> {
  const servers: ExpiryResult['servers'] = [];
  const certificates: ExpiryRow[] = [];
  const results = await Promise.allSettled(apis.map(async (api) => ({ api, tokens: await api.getTokens() })));
  let worst: ExpiryResult['worst'] = 'OK';
  results.forEach((r, i) => {
    const server = apis[i]!.server;
    if (r.status === 'rejected') {
      const msg = r.reason instanceof XrdError ? r.reason.oneLine() : String(r.reason);
      servers.push({ server, ok: false, error: msg });
      failures.push(r.reason instanceof XrdError ? r.reason : new XrdError(`${server}: ${msg}`, { server }));
      worst = 'UNKNOWN';
      return;
    }
    servers.push({ server, ok: true, error: null });
    const now = o.now ?? apis[i]!.http.serverNow();
    for (const c of certRows(server, r.value.tokens, now)) {
      let severity: ExpiryRow['severity'] = 'OK';
      let reason = `${c.daysLeft} days left`;
      const revoked = c.ocspStatus === 'OCSP_RESPONSE_REVOKED' || c.ocspStatus === 'OCSP_RESPONSE_SUSPENDED';
      if (c.daysLeft < 0) {
        severity = 'CRITICAL';
        reason = 'expired';
      } else if (revoked) {
        severity = 'CRITICAL';
        reason = `OCSP ${c.ocspStatus}`;
      } else if (c.daysLeft < o.criticalDays) severity = 'CRITICAL';
      else if (c.daysLeft < o.warnDays) severity = 'WARNING';
      // a certificate that is not in use (inactive, not registered) does not page anyone; one that is
      // in use and expired or revoked does
      if (severity !== 'OK' && !(c.active && c.status === 'REGISTERED')) {
        severity = 'WARNING';
        reason += ' (not in use)';
      }
      certificates.push({ server, usage: c.usage, hash: c.hash, ownerId: c.ownerId, status: c.status, active: c.active, ocspStatus: c.ocspStatus, notAfter: c.notAfter, daysLeft: c.daysLeft, severity, reason });
      if (worst !== 'UNKNOWN' && rank[severity] > rank[worst]) worst = severity;
    }
  });
  certificates.sort((a, b) => a.daysLeft - b.daysLeft);
  return { servers, certificates, worst };
}
