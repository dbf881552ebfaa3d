import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type * as SS from '../api/types/ss.js';
import { ApiError } from '../errors/index.js';
import type { DesiredServer } from './desired.js';
import { clientApiId } from './ids.js';
import type { ActualCentral, ActualServer, ExecCache } from './types.js';

/**
 * Read what a security server reports, once per run, batched where the API allows: one GET /tokens,
 * one GET /clients, then per managed client its service descriptions (services and endpoints come
 * inside), its local groups, and its access rights by subject. Clients the manifest does not name
 * are not read unless the manifest prunes clients.
 */
export async function readServer(api: SecurityServerApi, desired: DesiredServer, instance: string): Promise<ActualServer> {
  const [tokens, clients] = await Promise.all([api.getTokens(), api.getClients()]);
  const present = new Set(clients.map((c) => clientApiId(c, instance)));
  const managed = desired.clients.map((c) => c.id).filter((id) => present.has(id));
  const serviceDescriptions = new Map<string, SS.ServiceDescription[]>();
  const accessRights: ActualServer['accessRights'] = new Map();
  const localGroups = new Map<string, SS.LocalGroup[]>();
  for (const id of managed) {
    const [sds, groups, subjects] = await Promise.all([api.getClientServiceDescriptions(id), api.getClientLocalGroups(id), getServiceClients(api, id)]);
    serviceDescriptions.set(id, sds);
    // the list leaves members out: read the groups this manifest manages that have any
    const wanted = new Set(desired.clients.find((c) => c.id === id)?.localGroups.map((g) => g.code) ?? []);
    localGroups.set(
      id,
      await Promise.all(groups.map((g) => (wanted.has(g.code) && (g.member_count ?? 1) > 0 && g.id !== undefined ? api.getLocalGroup(String(g.id)) : Promise.resolve({ ...g, members: g.members ?? [] })))),
    );
    const rights = new Map<string, { type: string; codes: string[]; localGroupCode?: string }>();
    for (const sc of subjects) {
      const ar = await getAccessRights(api, id, sc.id);
      rights.set(sc.id, { type: sc.service_client_type ?? 'SUBSYSTEM', codes: ar.map((a) => a.service_code), localGroupCode: sc.local_group_code });
    }
    accessRights.set(id, rights);
  }
  return { tokens, clients, serviceDescriptions, accessRights, localGroups };
}

async function getServiceClients(api: SecurityServerApi, clientId: string): Promise<SS.ServiceClient[]> {
  return (await api.http.request<SS.ServiceClient[]>({ method: 'GET', path: `/clients/${encodeURIComponent(clientId)}/service-clients`, step: 'list-service-clients' })).body;
}

async function getAccessRights(api: SecurityServerApi, clientId: string, scId: string): Promise<SS.AccessRight[]> {
  return (
    await api.http.request<SS.AccessRight[]>({
      method: 'GET',
      path: `/clients/${encodeURIComponent(clientId)}/service-clients/${encodeURIComponent(scId)}/access-rights`,
      step: 'list-access-rights',
    })
  ).body;
}

export async function grantAccessRights(api: SecurityServerApi, clientId: string, scId: string, codes: string[]): Promise<void> {
  await api.http.request({
    method: 'POST',
    path: `/clients/${encodeURIComponent(clientId)}/service-clients/${encodeURIComponent(scId)}/access-rights`,
    body: { items: codes.map((service_code) => ({ service_code })) },
    step: 'grant-access',
  });
}

export async function revokeAccessRights(api: SecurityServerApi, clientId: string, scId: string, codes: string[]): Promise<void> {
  await api.http.request({
    method: 'POST',
    path: `/clients/${encodeURIComponent(clientId)}/service-clients/${encodeURIComponent(scId)}/access-rights/delete`,
    body: { items: codes.map((service_code) => ({ service_code })) },
    step: 'revoke-access',
  });
}

/** Members and subsystems known to the central server (paged, bounded). */
export async function readCentral(cs: CentralServerApi): Promise<ActualCentral> {
  const members = new Set<string>();
  const memberNames = new Map<string, string>();
  const subsystems = new Set<string>();
  const limit = 100;
  for (let offset = 0; offset < 100_000; offset += limit) {
    const page = await cs.http.request<{ clients?: { member_name?: string; client_id: { encoded_id?: string; type?: string; instance_id?: string; member_class?: string; member_code?: string; subsystem_code?: string } }[]; paging_metadata: { total_items: number } }>({
      method: 'GET',
      path: '/clients',
      query: { limit, offset },
      step: 'list-clients',
    });
    const items = page.body.clients ?? [];
    for (const c of items) {
      const id = c.client_id.encoded_id ?? [c.client_id.instance_id, c.client_id.member_class, c.client_id.member_code, c.client_id.subsystem_code].filter(Boolean).join(':');
      if (c.client_id.type === 'SUBSYSTEM' || c.client_id.subsystem_code) subsystems.add(id);
      else {
        members.add(id);
        if (c.member_name) memberNames.set(id, c.member_name);
      }
    }
    if (items.length < limit || offset + limit >= page.body.paging_metadata.total_items) break;
  }
  return { members, memberNames, subsystems };
}

export function execCache(api: SecurityServerApi): ExecCache {
  const sds = new Map<string, Promise<SS.ServiceDescription[]>>();
  return {
    serviceDescriptions(clientId) {
      let p = sds.get(clientId);
      if (!p) {
        p = api.getClientServiceDescriptions(clientId);
        sds.set(clientId, p);
        p.catch(() => sds.delete(clientId));
      }
      return p;
    },
    update(clientId, fn) {
      const p = sds.get(clientId);
      if (p) sds.set(clientId, p.then(fn));
    },
    invalidate(clientId) {
      if (clientId) sds.delete(clientId);
      else sds.clear();
    },
  };
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
