/** The checks of the central server: system, HA nodes, globalconf generation, waiting management requests. */
import type { CentralServerApi } from '../api/central-server.js';
import * as C from './classify.js';
import type { CheckResult } from './model.js';
import { firstContact, Reads, type ServerCheckOptions, type ServerChecks } from './security.js';

export async function checkCentralServer(api: CentralServerApi, o: ServerCheckOptions): Promise<ServerChecks> {
  const checks: CheckResult[] = [];
  const version = await firstContact(api, checks);
  const reads = new Reads('the XROAD_SYSTEM_ADMINISTRATOR or XROAD_SECURITY_OFFICER role (and XROAD_REGISTRATION_OFFICER for management requests)');
  if (!o.groups || o.groups.has('central') || o.groups.has('system')) {
    const now = () => api.http.serverNow();
    let haP: ReturnType<CentralServerApi['getHaClusterStatus']> | undefined;
    const ha = () => (haP ??= api.getHaClusterStatus());
    const attempt = async (name: string, fn: () => Promise<CheckResult | CheckResult[]>) => {
      const r = await reads.try(name, 'central', fn);
      if (r) checks.push(...(Array.isArray(r) ? r : [r]));
    };
    await Promise.all([
      attempt('version', async () => C.classifyVersion(version, o.t)),
      attempt('initialization', async () => C.classifyCsSystem(await api.getSystemStatus())),
      attempt('ha', async () => C.classifyHa(await ha())),
      attempt('globalconf-generation', async () => {
        const h = await ha();
        const nodes = (h.nodes ?? []).map((n) => n.configuration_generated).filter((x): x is string => !!x);
        const times = h.is_ha_configured && nodes.length ? nodes : (await api.getConfigurationParts('INTERNAL')).map((p) => p.file_updated_at);
        return C.classifyGeneration(times.sort().at(-1), now(), o.t);
      }),
      ...(o.signing ? [attempt('signing-keys', async () => C.classifySigningKeys(await api.getTokens(), o.signing!, now(), o.at))] : []),
      attempt('management-requests', async () => {
        const page = await api.findManagementRequests({ status: 'WAITING', sort: 'created_at', desc: false, limit: 25 });
        return C.classifyRequests(page.items, page.paging_metadata?.total_items ?? page.items.length, now(), o.t, o.at);
      }),
    ]);
  }
  checks.push(...reads.results('API key accepted; every read health needs is allowed'));
  return { checks, certificates: [] };
}
