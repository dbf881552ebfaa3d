import { everyPage, type CentralServerApi } from '../api/central-server.js';
import {
  MANAGEMENT_REQUEST_STATUSES,
  MANAGEMENT_REQUEST_TYPES,
  type ManagementRequestListView,
  type ManagementRequestStatus,
  type ManagementRequestType,
} from '../api/types/cs.js';
import { UsageError } from '../errors/index.js';

export interface RequestRow {
  id: number;
  type: string;
  origin: string;
  status: string | null;
  serverId: string;
  clientId: string | null;
  address: string | null;
  createdAt: string | null;
}

export function requestRow(r: ManagementRequestListView): RequestRow {
  return {
    id: r.id ?? -1,
    type: r.type,
    origin: r.origin,
    status: r.status ?? null,
    serverId: r.security_server_id?.encoded_id ?? '',
    clientId: r.client_id?.encoded_id ?? null,
    address: r.address ?? null,
    createdAt: r.created_at ?? null,
  };
}

const STATUSES: readonly string[] = MANAGEMENT_REQUEST_STATUSES;
export const requestStatuses = [...MANAGEMENT_REQUEST_STATUSES];
export const requestTypes = [...MANAGEMENT_REQUEST_TYPES];

/** List management requests, following pages (bounded: at most `max` items). */
export async function listRequests(
  cs: CentralServerApi,
  f: { status?: string; types?: string[]; serverId?: string; max?: number } = {},
): Promise<RequestRow[]> {
  if (f.status && !STATUSES.includes(f.status)) throw new UsageError(`status must be one of ${STATUSES.join(', ')}`);
  const max = f.max ?? 500;
  const items = await everyPage<ManagementRequestListView>(
    { server: cs.server, step: 'list-management-requests', pageSize: 100, maxItems: max, key: (r) => String(r.id) },
    async (limit, offset) => {
      const page = await cs.findManagementRequests({
        status: f.status as ManagementRequestStatus | undefined,
        types: f.types as ManagementRequestType[] | undefined,
        server_id: f.serverId,
        sort: 'created_at',
        desc: true,
        limit,
        offset,
      });
      return { items: page.items, total: page.paging_metadata.total_items };
    },
  );
  return items.map(requestRow);
}

/**
 * One listing for callers that want it at about the same time (the approvals of one server's client
 * registrations, running in parallel). A caller needs a listing that started after `since` (when its
 * own registration call returned): it joins the one in flight if that started late enough, otherwise
 * the next one, which starts as soon as the one in flight ends and serves every caller that queued
 * for it. So at most one listing per filter is in flight, and none is sent that another could answer.
 * Keyed per central server connection.
 */
interface Listing {
  startedAt: number;
  rows: Promise<RequestRow[]>;
  next?: Listing;
}
const listings = new WeakMap<CentralServerApi, Map<string, Listing>>();
export function listRequestsShared(
  cs: CentralServerApi,
  f: { status?: string; types?: string[]; serverId?: string; max?: number },
  since: number,
): Promise<RequestRow[]> {
  let byKey = listings.get(cs);
  if (!byKey) listings.set(cs, (byKey = new Map()));
  const key = JSON.stringify([f.status, f.types, f.serverId, f.max]);
  const start = (after?: Promise<unknown>): Listing => {
    const l: Listing = { startedAt: Infinity, rows: Promise.resolve([]) };
    l.rows = (after ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        l.startedAt = performance.now();
        return listRequests(cs, f);
      });
    const done = () => {
      if (byKey.get(key) === l) {
        if (l.next) byKey.set(key, l.next);
        else byKey.delete(key);
      }
    };
    l.rows.then(done, done);
    return l;
  };
  const cur = byKey.get(key);
  if (!cur) {
    const l = start();
    byKey.set(key, l);
    return l.rows;
  }
  // started (or starting) after the caller's call returned: it holds the caller's request
  if (cur.startedAt >= since) return cur.rows;
  cur.next ??= start(cur.rows);
  return cur.next.rows;
}

export async function showRequest(cs: CentralServerApi, id: number) {
  const d = await cs.getManagementRequest(id);
  return {
    ...requestRow(d),
    comments: d.comments ?? null,
    certificateHash: d.certificate_details?.hash ?? null,
    certificateSubject: d.certificate_details?.subject_distinguished_name ?? null,
  };
}

export async function decideRequest(cs: CentralServerApi, id: number, decision: 'approve' | 'decline') {
  const before = await cs.getManagementRequest(id);
  const want = decision === 'approve' ? 'APPROVED' : 'DECLINED';
  if (before.status === want) return { id, decision, changed: false, status: before.status };
  if (decision === 'approve') {
    const r = await cs.approveManagementRequest(id);
    return { id, decision, changed: true, status: r.status ?? 'APPROVED' };
  }
  await cs.declineManagementRequest(id);
  const after = await cs.getManagementRequest(id);
  return { id, decision, changed: true, status: after.status ?? 'DECLINED' };
}
