/** The checks of the central server: system, HA nodes, globalconf generation, waiting management requests. */
import type { CentralServerApi } from '../api/central-server.js';
import * as C from './classify.js';
import { check, type CheckResult } from './model.js';
import type { ServerCheckOptions, ServerChecks } from './security.js';
import { AuthError, XrdError } from '../errors/index.js';

export async function checkCentralServer(api: CentralServerApi, o: ServerCheckOptions): Promise<ServerChecks> {
  const checks: CheckResult[] = [];
  const forbidden: string[] = [];
  const t0 = Date.now();
  const version = await api.getVersion();
  const ms = Date.now() - t0;
  checks.push(check('reachability', 'connection', 'OK', `answered in ${ms} ms`, '', [{ label: 'response time', value: ms / 1000, uom: 's', min: 0 }]));
  checks.push(check('tls', 'connection', 'OK', api.http.pinned ? 'admin certificate matches the pinned fingerprint' : 'admin certificate verified by its CA'));
  const on = !o.groups || o.groups.has('central') || o.groups.has('system');
  if (on) {
    const now = () => api.http.serverNow();
    const attempt = async (name: string, fn: () => Promise<CheckResult | CheckResult[]>) => {
      try {
        const r = await fn();
        checks.push(...(Array.isArray(r) ? r : [r]));
      } catch (e) {
        const denied = e instanceof AuthError && e.status === 403;
        if (denied) forbidden.push(name);
        checks.push(check(name, 'central', 'UNKNOWN', `cannot read: ${e instanceof XrdError ? e.message : String(e)}`, denied ? 'use an API key with the XROAD_SYSTEM_ADMINISTRATOR or XROAD_SECURITY_OFFICER role (and XROAD_REGISTRATION_OFFICER for management requests)' : 'check the central server log'));
      }
    };
    await Promise.all([
      attempt('version', async () => C.classifyVersion(version, o.t)),
      attempt('initialization', async () => C.classifyCsSystem(await api.getSystemStatus())),
      attempt('ha', async () => C.classifyHa(await api.getHaClusterStatus())),
      attempt('globalconf-generation', async () => {
        const ha = await api.getHaClusterStatus();
        const nodes = (ha.nodes ?? []).map((n) => n.configuration_generated).filter((x): x is string => !!x);
        const times = ha.is_ha_configured && nodes.length ? nodes : (await api.getConfigurationParts('INTERNAL')).map((p) => p.file_updated_at);
        const newest = times.sort().at(-1);
        return C.classifyGeneration(newest, now(), o.t);
      }),
      attempt('management-requests', async () => {
        const page = await api.findManagementRequests({ status: 'WAITING', sort: 'created_at', desc: false, limit: 25 });
        return C.classifyRequests(page.items, page.paging_metadata?.total_items ?? page.items.length, now(), o.t, o.at);
      }),
    ]);
  }
  checks.push(
    forbidden.length
      ? check('api-key', 'connection', 'WARNING', `API key accepted, but it may not read: ${forbidden.join(', ')}`, 'use a key with the roles named in the checks above')
      : check('api-key', 'connection', 'OK', 'API key accepted; every read health needs is allowed'),
  );
  return { checks, certificates: [] };
}
