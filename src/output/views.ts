/** Human renderers of command results too long for a command file (the output layer's, like every print). */
import type { ExpiryResult } from '../certs/expiry.js';
import type { StartResult } from '../sandboxctl/control.js';
import { colorStatus } from './health.js';
import type { Output } from './index.js';

/** `sandbox start`: where it runs, its servers with their URLs, ids and TLS pins, and where the keys are. */
export function renderSandboxStarted(o: Output, r: StartResult): void {
  o.print(`sandbox ${r.detached ? `running in the background (pid ${r.pid})` : 'running'}; state in ${r.dir}`);
  o.table(
    [
      { name: r.cs.name, url: r.cs.url, fingerprint: r.cs.fingerprint, id: 'central server' },
      ...r.ss.map((s) => ({ name: s.name, url: s.url, fingerprint: s.fingerprint, id: s.serverId ?? '' })),
    ],
    [
      { header: 'SERVER', get: (x) => x.name },
      { header: 'URL', get: (x) => x.url },
      { header: 'ID', get: (x) => x.id },
      { header: 'TLS SHA-256', get: (x) => x.fingerprint },
    ],
  );
  if (r.contexts.length) o.print(`contexts: ${r.contexts.join(', ')}`);
  if (r.apiKeys) o.lines(Object.entries(r.apiKeys).map(([k, v]) => `${k} admin API key: ${v}`));
  else o.print(`API keys: ${r.dir}/secrets.json (mode 0600)`);
}

/** `cert expiry`: unreachable servers as rows first, then every certificate (informational ones marked). */
export function renderCertExpiry(o: Output, r: ExpiryResult): void {
  const c = o.out;
  const rows = [
    ...r.servers
      .filter((s) => !s.ok)
      .map((s) => ({ server: s.server, usage: '-', hash: '-', owner: '', days: '', ocsp: '', state: s.status, why: s.error ?? '' })),
    ...r.certificates.map((x) => ({
      server: x.server,
      usage: x.usage,
      hash: x.hash.slice(0, 16),
      owner: x.ownerId ?? '',
      days: String(x.daysLeft),
      ocsp: x.ocspStatus?.replace('OCSP_RESPONSE_', '') ?? '-',
      state: x.severity,
      why: x.counts ? x.reason : `${x.reason} [info]`,
    })),
  ];
  o.table(rows, [
    { header: 'SERVER', get: (x) => x.server },
    { header: 'USAGE', get: (x) => x.usage },
    { header: 'HASH', get: (x) => x.hash },
    { header: 'MEMBER', get: (x) => x.owner },
    { header: 'DAYS', get: (x) => x.days },
    { header: 'OCSP', get: (x) => x.ocsp },
    { header: 'STATE', get: (x) => colorStatus(c, x.state) },
    { header: 'WHY', get: (x) => x.why },
  ]);
}
