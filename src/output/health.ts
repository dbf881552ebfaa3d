/**
 * Renderers of a health report: a human table (worst first, coloured through the output layer's
 * colour decisions), the monitoring-plugins format (nagios/Icinga) and the Prometheus text
 * exposition format (node_exporter textfile collector).
 */
import type { ChalkInstance } from 'chalk';
import { RANK, type CheckResult, type HealthReport, type Perf, type ServerHealth, type Status } from '../health/model.js';
import { renderTable } from './table.js';

export function colorStatus(c: ChalkInstance, s: Status): string {
  return s === 'OK' ? c.green(s) : s === 'WARNING' ? c.yellow(s) : s === 'CRITICAL' ? c.red.bold(s) : c.magenta(s);
}

const byWorst = <T extends { status: Status }>(a: T, b: T) => RANK[b.status] - RANK[a.status];

/** Human table: the servers worst first; a server's non-OK checks (all with verbose), then the remedies. */
export function humanHealth(r: HealthReport, c: ChalkInstance, o: { verbose?: boolean } = {}): string {
  const rows: { server: string; check: string; status: Status; message: string }[] = [];
  const remedies: string[] = [];
  for (const s of [...r.servers].sort((a, b) => byWorst(a, b) || a.server.localeCompare(b.server))) {
    const shown = o.verbose ? s.checks : s.checks.filter((x) => x.status !== 'OK');
    if (!shown.length) rows.push({ server: s.server, check: '(all)', status: s.status, message: `${s.checks.length} checks OK` });
    for (const x of [...shown].sort(byWorst)) {
      rows.push({ server: s.server, check: x.name, status: x.status, message: x.message });
      if (x.status !== 'OK' && x.remedy) remedies.push(`${c.bold(`${s.server} ${x.name}:`)} ${x.remedy}`);
    }
  }
  const table = renderTable(
    rows,
    [
      { header: 'SERVER', get: (x) => x.server },
      { header: 'CHECK', get: (x) => x.check },
      { header: 'STATUS', get: (x) => colorStatus(c, x.status) },
      { header: 'MESSAGE', get: (x) => x.message },
    ],
    (h) => c.bold(h),
  );
  const counts = (['CRITICAL', 'WARNING', 'UNKNOWN', 'OK'] as const)
    .map((st) => [st, r.servers.filter((s) => s.status === st).length] as const)
    .filter(([, n]) => n);
  const head = `${colorStatus(c, r.status)}: ${r.servers.length} server(s): ${counts.map(([st, n]) => `${n} ${st}`).join(', ')}`;
  return [head, '', table, ...(remedies.length ? ['', c.bold('To fix:'), ...remedies.map((x) => `  ${x}`)] : [])].join('\n');
}

// ---------- monitoring plugins (nagios, Icinga) ----------

/** A perfdata label: quoted when it has spaces; `'` and `=` are not allowed in it. */
function perfLabel(l: string): string {
  const clean = l.replace(/['=]/g, '_');
  return /[\s]/.test(clean) ? `'${clean}'` : clean;
}
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '').replace(/\.$/, ''));

export function perfString(server: string, p: Perf): string {
  const tail = [p.warn ?? '', p.crit ?? '', p.min !== undefined ? num(p.min) : '', p.max !== undefined ? num(p.max) : ''];
  while (tail.length && tail[tail.length - 1] === '') tail.pop();
  return `${perfLabel(`${server} ${p.label}`)}=${num(p.value)}${p.uom ?? ''}${tail.length ? `;${tail.join(';')}` : ''}`;
}

function summaryOf(s: ServerHealth): string {
  const bad = s.checks.filter((x) => x.status === s.status && s.status !== 'OK');
  return bad.length ? `${s.server} ${s.status} (${bad.map((x) => `${x.name}: ${x.message}`).join('; ')})` : `${s.server} OK`;
}

/** `XRDCTL <STATUS> - <summary> | <perfdata>`, then one line per non-OK check (monitoring-plugins guidelines). */
export function nagiosHealth(r: HealthReport): string {
  const bad = r.servers.filter((s) => s.status !== 'OK').sort(byWorst);
  const summary = bad.length
    ? `${bad.length} of ${r.servers.length} server(s) not OK: ${bad.map((s) => summaryOf(s)).join(', ')}`
    : `${r.servers.length} server(s) OK`;
  const perf = r.servers.flatMap((s) => s.checks.flatMap((c) => (c.perfdata ?? []).map((p) => perfString(s.server, p))));
  // the first line is one line: no '|' or newline from a message may break its grammar
  const first = `XRDCTL ${r.status} - ${summary.replace(/[|\n\r]/g, ' ')}${perf.length ? ` | ${perf.join(' ')}` : ''}`;
  const details: string[] = [];
  for (const s of [...r.servers].sort(byWorst)) {
    for (const c of [...s.checks].sort(byWorst)) {
      if (c.status === 'OK') continue;
      details.push(`${c.status}: ${s.server} ${c.name}: ${c.message}${c.remedy ? ` | remedy: ${c.remedy}` : ''}`.replace(/\|/g, '/').replace(/[\n\r]/g, ' '));
    }
  }
  return [first, ...details].join('\n');
}

// ---------- Prometheus text exposition ----------

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;

function family(name: string, help: string, samples: string[]): string[] {
  return samples.length ? [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples] : [];
}

/** node_exporter textfile collector format: one gauge per check and server, days to expiry per certificate, scrape success per server. */
export function prometheusHealth(r: HealthReport): string {
  const seen = new Set<string>();
  const checkSamples: string[] = [];
  for (const s of r.servers) {
    for (const c of s.checks) {
      const key = `${s.server}\u0000${c.name}`;
      if (seen.has(key)) continue; // one series per (server, check)
      seen.add(key);
      checkSamples.push(`xrdctl_health_check_status${labels({ server: s.server, check: c.name, group: c.group })} ${RANK[c.status]}`);
    }
  }
  const certSeen = new Set<string>();
  const certSamples = r.servers.flatMap((s) =>
    s.certificates
      .filter((c) => !certSeen.has(s.server + c.hash) && certSeen.add(s.server + c.hash))
      .map(
        (c) =>
          `xrdctl_certificate_expiry_days${labels({ server: s.server, usage: c.usage, hash: c.hash, member: c.ownerId ?? '', status: c.status, counts: String(c.counts) })} ${c.daysToExpiry}`,
      ),
  );
  const at = Math.floor(Date.parse(r.checkedAt) / 1000);
  return (
    [
      ...family(
        'xrdctl_health_status',
        'Worst status of a server: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.',
        r.servers.map((s) => `xrdctl_health_status${labels({ server: s.server, kind: s.kind })} ${RANK[s.status]}`),
      ),
      ...family('xrdctl_health_check_status', 'Status of one check of a server: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', checkSamples),
      ...family(
        'xrdctl_certificate_expiry_days',
        'Days until the certificate expires (negative: expired); counts="true" for the ones in use or that should be.',
        certSamples,
      ),
      ...family(
        'xrdctl_health_scrape_success',
        '1 if the server could be asked (reachable, TLS, API key), else 0.',
        r.servers.map((s) => `xrdctl_health_scrape_success${labels({ server: s.server })} ${s.reached ? 1 : 0}`),
      ),
      ...family(
        'xrdctl_health_scrape_duration_seconds',
        'Time the checks of a server took.',
        r.servers.map((s) => `xrdctl_health_scrape_duration_seconds${labels({ server: s.server })} ${s.durationMs / 1000}`),
      ),
      ...family('xrdctl_health_last_run_timestamp_seconds', 'When this report was made (Unix time).', [`xrdctl_health_last_run_timestamp_seconds ${at}`]),
    ].join('\n') + '\n'
  );
}

export type { CheckResult };
