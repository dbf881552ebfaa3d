import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type * as SS from '../api/types/ss.js';
import { ApiError } from '../errors/index.js';
import type { DesiredServer } from '../model/desired.js';
import { fullyInitialized } from './kinds/server.js';
import { clientApiId, encodedClientId } from '../model/ids.js';
import type { ActualCentral, ActualServer, ExecCache } from './types.js';
import { pool } from './pool.js';

/** clients of one server read at once (each is two or three requests in parallel, then its access rights) */
const CLIENT_READS = 4;

/**
 * Read what a security server reports, once per run, batched where the API allows: one GET /tokens,
 * one GET /clients, then per managed client (a few at once) its service descriptions (services and
 * endpoints come inside), its local groups when the manifest declares any, and its access rights by subject. Clients the manifest does not name
 * are not read unless the manifest prunes clients.
 */
export async function readServer(api: SecurityServerApi, desired: DesiredServer, instance: string): Promise<ActualServer> {
  // a server the manifest initialises may not be yet: then there is nothing else to read
  const init = desired.initialize ? await api.getInitializationStatus() : undefined;
  if (init && !fullyInitialized(init))
    return { init, tokens: [], clients: [], serviceDescriptions: new Map(), accessRights: new Map(), localGroups: new Map() };
  const [tokens, clients, timestamping] = await Promise.all([
    api.getTokens(),
    api.getClients(),
    desired.timestampingServices?.length ? api.getConfiguredTimestampingServices().then((configured) => ({ configured })) : undefined,
  ]);
  const present = new Set(clients.map((c) => clientApiId(c, instance)));
  const managed = desired.clients.map((c) => c.id).filter((id) => present.has(id));
  const serviceDescriptions = new Map<string, SS.ServiceDescription[]>();
  const accessRights: ActualServer['accessRights'] = new Map();
  const localGroups = new Map<string, SS.LocalGroup[]>();
  // clients in parallel (bounded: the HTTP layer keeps a few sockets per server and the server's rate limit holds)
  await pool(managed, CLIENT_READS, async (id) => {
    const want = desired.clients.find((c) => c.id === id);
    // local groups are diffed only where the manifest declares some: a client without any needs no read of them
    const wanted = new Set(want?.localGroups.map((g) => g.code) ?? []);
    const [sds, groups, subjects] = await Promise.all([
      api.getClientServiceDescriptions(id),
      wanted.size ? api.getClientLocalGroups(id) : Promise.resolve([] as SS.LocalGroup[]),
      api.getServiceClients(id),
    ]);
    serviceDescriptions.set(id, sds);
    // the list leaves members out: read the groups this manifest manages that have any
    localGroups.set(
      id,
      await Promise.all(
        groups.map((g) =>
          wanted.has(g.code) && (g.member_count ?? 1) > 0 && g.id !== undefined
            ? api.getLocalGroup(String(g.id))
            : Promise.resolve({ ...g, members: g.members ?? [] }),
        ),
      ),
    );
    const rights = new Map<string, { type: string; codes: string[]; localGroupCode?: string }>();
    const read = await pool(subjects, CLIENT_READS, (sc) => api.getServiceClientAccessRights(id, sc.id));
    subjects.forEach((sc, i) =>
      rights.set(sc.id, { type: sc.service_client_type ?? 'SUBSYSTEM', codes: read[i]!.map((a) => a.service_code), localGroupCode: sc.local_group_code }),
    );
    accessRights.set(id, rights);
  });
  return { ...(init ? { init } : {}), ...(timestamping ? { timestamping } : {}), tokens, clients, serviceDescriptions, accessRights, localGroups };
}

/** Members and subsystems known to the central server (paged, bounded). */
/** The central server's members and subsystems; its configuration signing keys only when the manifest declares them. */
export async function readCentral(cs: CentralServerApi, o: { signingKeys?: boolean } = {}): Promise<ActualCentral> {
  const members = new Set<string>();
  const memberNames = new Map<string, string>();
  const subsystems = new Set<string>();
  for (const c of await cs.allClients()) {
    const id = encodedClientId(c.client_id);
    if (c.client_id.type === 'SUBSYSTEM' || c.client_id.subsystem_code) subsystems.add(id);
    else {
      members.add(id);
      if (c.member_name) memberNames.set(id, c.member_name);
    }
  }
  if (!o.signingKeys) return { members, memberNames, subsystems };
  const signingKeys = (await cs.getTokens()).flatMap((t) =>
    (t.configuration_signing_keys ?? [])
      .filter((k) => k.source_type)
      .map((k) => ({ source: k.source_type!, id: k.id, token: t.id, active: k.active, createdAt: k.created_at })),
  );
  return { members, memberNames, subsystems, signingKeys };
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
