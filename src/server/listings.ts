import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type * as SS from '../api/types/ss.js';
import { clientApiId } from '../model/ids.js';

export interface ClientRow {
  id: string;
  name: string | null;
  status: string | null;
  owner: boolean;
  connectionType: string | null;
  hasValidLocalSignCert: boolean | null;
}

export async function listClients(api: SecurityServerApi): Promise<ClientRow[]> {
  return (await api.getClients()).map((c) => ({
    id: clientApiId(c, c.instance_id ?? ''),
    name: c.subsystem_name ?? c.member_name ?? null,
    status: c.status ?? null,
    owner: !!c.owner,
    connectionType: c.connection_type ?? null,
    hasValidLocalSignCert: c.has_valid_local_sign_cert ?? null,
  }));
}

export interface ServiceRow {
  description: string;
  type: string;
  disabled: boolean;
  code: string;
  fullCode: string | null;
  url: string;
  timeout: number;
  sslAuth: boolean | null;
  endpoints: string[];
}

export function serviceRows(sds: SS.ServiceDescription[]): ServiceRow[] {
  return sds.flatMap((d) =>
    d.services.map((s) => ({
      description: d.url,
      type: d.type,
      disabled: d.disabled,
      code: s.service_code,
      fullCode: s.full_service_code ?? null,
      url: s.url,
      timeout: s.timeout,
      sslAuth: s.ssl_auth ?? null,
      endpoints: (s.endpoints ?? []).map((e) => `${e.method} ${e.path}${e.generated ? ' (generated)' : ''}`),
    })),
  );
}

export async function listAccessRights(api: SecurityServerApi, clientId: string): Promise<{ subject: string; type: string; services: string[] }[]> {
  const subjects = await api.getServiceClients(clientId);
  const out = [];
  for (const sc of subjects) {
    const rights = await api.getServiceClientAccessRights(clientId, sc.id);
    out.push({
      subject: sc.service_client_type === 'LOCALGROUP' && sc.local_group_code ? `local:${sc.local_group_code}` : sc.id,
      type: sc.service_client_type ?? 'SUBSYSTEM',
      services: rights.map((r) => r.service_code).sort(),
    });
  }
  return out;
}

export async function listGroups(api: SecurityServerApi, clientId: string): Promise<{ code: string; description: string; members: string[] }[]> {
  const groups = await api.getClientLocalGroups(clientId);
  const full = await Promise.all(groups.map((g) => (g.id !== undefined ? api.getLocalGroup(String(g.id)) : Promise.resolve(g))));
  return full.map((g) => ({ code: g.code, description: g.description, members: (g.members ?? []).map((m) => m.id) }));
}

export async function listCentralClients(cs: CentralServerApi, type: 'MEMBER' | 'SUBSYSTEM'): Promise<{ id: string; name: string | null }[]> {
  return (await cs.allClients({ client_type: type })).map((c) => ({ id: c.client_id.encoded_id ?? '', name: c.member_name ?? null }));
}
