import { ApiError } from '../errors/index.js';
import { encodedClientId } from '../model/ids.js';
import type { HttpClient } from '../http/index.js';
import { seg } from './segment.js';
import { CS, arr, expect, opt } from './shape.js';
import type * as T from './types/cs.js';

const enc = seg;

/** Typed client for the Central Server admin API (/api/v1). */
export class CentralServerApi {
  constructor(readonly http: HttpClient) {}

  get server(): string {
    return this.http.server;
  }

  async getVersion() {
    return (await this.http.request<T.Version>({ method: 'GET', path: '/system/version', step: 'get-version', expect: expect(CS.version) })).body;
  }
  async getSystemStatus() {
    return (await this.http.request<T.SystemStatus>({ method: 'GET', path: '/system/status', step: 'get-system-status', expect: expect(CS.systemStatus) }))
      .body;
  }
  async getHaClusterStatus() {
    return (
      await this.http.request<T.HaClusterStatus>({
        method: 'GET',
        path: '/system/high-availability-cluster/status',
        step: 'get-ha-status',
        expect: expect(CS.anyObject),
      })
    ).body;
  }
  async getConfigurationParts(type: T.ConfigurationType = 'INTERNAL') {
    return (
      await this.http.request<T.ConfigurationPart[]>({
        method: 'GET',
        path: `/configuration-sources/${type}/configuration-parts`,
        step: 'get-configuration-parts',
        expect: expect(CS.anyList),
      })
    ).body;
  }
  async findManagementRequests(
    q: {
      query?: string;
      origin?: T.ManagementRequestOrigin;
      types?: T.ManagementRequestType[];
      status?: T.ManagementRequestStatus;
      server_id?: string;
      sort?: string;
      desc?: boolean;
      limit?: number;
      offset?: number;
    } = {},
  ) {
    const query: Record<string, string | number | boolean | undefined | string[]> = { ...q, types: q.types };
    return (
      await this.http.request<T.PagedManagementRequests>({
        method: 'GET',
        path: '/management-requests',
        query,
        step: 'list-management-requests',
        expect: expect(CS.managementRequests),
      })
    ).body;
  }
  async getManagementRequest(id: number | string) {
    return (
      await this.http.request<T.ManagementRequestDetailedView>({
        method: 'GET',
        path: `/management-requests/${enc(String(id))}`,
        step: 'get-management-request',
        expect: expect(CS.managementRequest),
      })
    ).body;
  }
  async approveManagementRequest(id: number | string) {
    return (
      await this.http.request<T.ManagementRequest>({
        method: 'POST',
        path: `/management-requests/${enc(String(id))}/approval`,
        step: 'approve-management-request',
        expect: expect(opt(CS.managementRequest)),
      })
    ).body;
  }
  async declineManagementRequest(id: number | string) {
    await this.http.request({ method: 'DELETE', path: `/management-requests/${enc(String(id))}`, step: 'decline-management-request' });
  }
  /** Every client (members and subsystems) the CS knows, following pages (bounded). */
  async allClients(q: { client_type?: 'MEMBER' | 'SUBSYSTEM' } = {}, o: { pageSize?: number } = {}): Promise<T.Client[]> {
    return everyPage(
      { server: this.server, step: 'list-clients', pageSize: o.pageSize ?? CLIENT_PAGE, maxItems: 100_000, key: clientKey, complete: true },
      async (limit, offset) => {
        const page = (
          await this.http.request<T.PagedClients>({
            method: 'GET',
            path: '/clients',
            query: { ...q, limit, offset },
            step: 'list-clients',
            expect: expect(CS.clients),
          })
        ).body;
        return { items: page.clients ?? [], total: page.paging_metadata.total_items };
      },
    );
  }
  async addMember(m: T.MemberAdd) {
    return (await this.http.request<T.Client>({ method: 'POST', path: '/members', body: m, step: 'add-member', expect: expect(opt(CS.client)) })).body;
  }
  async updateMemberName(id: string, name: string) {
    await this.http.request({ method: 'PATCH', path: `/members/${enc(id)}`, body: { member_name: name }, step: 'rename-member' });
  }
  /** the subsystems of one member (GET /members/{id}/subsystems) */
  async memberSubsystems(memberId: string): Promise<T.Subsystem[]> {
    return (
      await this.http.request<T.Subsystem[]>({
        method: 'GET',
        path: `/members/${enc(memberId)}/subsystems`,
        step: 'list-member-subsystems',
        expect: expect(arr(CS.memberSubsystem)),
      })
    ).body;
  }
  /** whether the central server knows this member (GET /members/{id}: 404 when not) */
  async hasMember(memberId: string): Promise<boolean> {
    try {
      await this.http.request({ method: 'GET', path: `/members/${enc(memberId)}`, step: 'get-member', expect: expect(CS.client) });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  }
  async addSubsystem(s: T.SubsystemAdd) {
    return (await this.http.request<T.Subsystem>({ method: 'POST', path: '/subsystems', body: s, step: 'add-subsystem', expect: expect(opt(CS.subsystem)) }))
      .body;
  }
  async getSecurityServerAuthCerts(serverId: string) {
    return (
      await this.http.request<T.SecurityServerAuthenticationCertificateDetails[]>({
        method: 'GET',
        path: `/security-servers/${enc(serverId)}/authentication-certificates`,
        step: 'list-server-auth-certs',
        expect: expect(CS.authCerts),
      })
    ).body;
  }
  /** The central server drops a registered auth certificate at once (no request from the server; emergency cut-off). */
  async deleteSecurityServerAuthCert(serverId: string, certificateId: number | string) {
    await this.http.request({
      method: 'DELETE',
      path: `/security-servers/${enc(serverId)}/authentication-certificates/${enc(String(certificateId))}`,
      step: 'delete-server-auth-cert',
    });
  }
  /** The hash and creation time of a source's current anchor. */
  async getAnchor(source: T.ConfigurationType = 'INTERNAL') {
    return (
      await this.http.request<{ anchor?: { hash: string; created_at: string } }>({
        method: 'GET',
        path: `/configuration-sources/${source}/anchor`,
        step: 'get-anchor',
        expect: expect(CS.anyObject),
      })
    ).body;
  }
  /** The configuration anchor of a source (what a new security server imports first). */
  async downloadAnchor(source: 'INTERNAL' | 'EXTERNAL' = 'INTERNAL'): Promise<Buffer> {
    const r = await this.http.request<Buffer | string>({
      method: 'GET',
      path: `/configuration-sources/${source}/anchor/download`,
      accept: 'application/xml, application/octet-stream',
      step: 'download-anchor',
    });
    return Buffer.isBuffer(r.body) ? r.body : Buffer.from(String(r.body ?? ''));
  }
  /** A new configuration signing key of a source on a token (the token must be logged in). */
  async addSigningKey(source: T.ConfigurationType, tokenId: string, label: string) {
    return (
      await this.http.request<T.ConfigurationSigningKey>({
        method: 'POST',
        path: `/configuration-sources/${source}/signing-keys`,
        body: { key_label: label, token_id: tokenId },
        step: 'add-signing-key',
        expect: expect(CS.anyObject),
      })
    ).body;
  }
  /** Make a key the one that signs its source's global configuration (idempotent: PUT). */
  async activateSigningKey(id: string) {
    await this.http.request({ method: 'PUT', path: `/signing-keys/${enc(id)}/activate`, step: 'activate-signing-key', idempotent: true });
  }
  async deleteSigningKey(id: string) {
    await this.http.request({ method: 'DELETE', path: `/signing-keys/${enc(id)}`, step: 'delete-signing-key' });
  }
  /** Re-create a source's anchor from its current signing keys. */
  async reCreateAnchor(source: T.ConfigurationType) {
    return (
      await this.http.request<{ hash: string; created_at: string }>({
        method: 'PUT',
        path: `/configuration-sources/${source}/anchor/re-create`,
        step: 're-create-anchor',
        expect: expect(CS.anyObject),
      })
    ).body;
  }
  /** The API key's user: its roles (common admin API). */
  async getUser() {
    return (
      await this.http.request<{ username?: string; roles?: string[]; permissions?: string[] }>({
        method: 'GET',
        path: '/user',
        step: 'get-user',
        expect: expect(CS.anyObject),
      })
    ).body;
  }
  /** The CS tokens with their configuration signing keys. */
  getTokens() {
    return this.http.request<T.CsToken[]>({ method: 'GET', path: '/tokens', step: 'list-tokens', expect: expect(CS.tokens) }).then((r) => r.body);
  }
}

/**
 * Clients per page of a full client listing: an instance has thousands (each page is a request against the
 * API's 20/s, and a listing waits for its pages one after another). The real server sets no maximum.
 */
const CLIENT_PAGE = 500;
const clientKey = (c: T.Client) => encodedClientId(c.client_id);

/**
 * Every item of a paged Central Server listing, page after page (bounded by `maxItems` and by the pages
 * `total_items` needs). The `offset` query parameter is a page index, not an item offset: the real server
 * hands it to Spring's `PageRequest.of(offset, limit)`, as the spec's "offset in pages" says.
 *
 * A list can change while it is read: an item added before a page's place makes the next page repeat one,
 * an item removed (a request approved off a WAITING listing) makes it skip one. A `complete` listing (a plan
 * must not take a partial client list for the whole) is read again from its first page when its total, a
 * repeat or a short page shows a change, and is an error after three tries. Otherwise the caller gets what
 * was read, repeats skipped (a live queue that it polls again).
 */
export async function everyPage<I>(
  o: { server: string; step: string; pageSize: number; maxItems: number; key: (item: I) => string; complete?: boolean },
  fetchPage: (limit: number, offset: number) => Promise<{ items: I[]; total: number }>,
): Promise<I[]> {
  for (let attempt = 1; ; attempt++) {
    const r = await readPages(o, fetchPage);
    if (!o.complete || !r.changed) return r.items;
    if (attempt === 3)
      throw new ApiError(`the listing changed while it was read, ${attempt} times (last: ${r.changed})`, {
        server: o.server,
        step: o.step,
        hint: 'something changes the list without pause, or the server pages otherwise; run the command again',
      });
  }
}

async function readPages<I>(
  o: { pageSize: number; maxItems: number; key: (item: I) => string },
  fetchPage: (limit: number, offset: number) => Promise<{ items: I[]; total: number }>,
): Promise<{ items: I[]; changed?: string }> {
  const out: I[] = [];
  const seen = new Set<string>();
  let first: number | undefined;
  let total = 0;
  let changed: string | undefined;
  let pages = Math.ceil(o.maxItems / o.pageSize);
  for (let offset = 0; offset < pages && out.length < o.maxItems; offset++) {
    const page = await fetchPage(o.pageSize, offset);
    const items = page.items;
    total = page.total;
    first ??= total;
    if (total !== first) changed ??= `total_items ${first} then ${total}`;
    // the pages the first total needs, and one for the shift of items added meanwhile
    pages = Math.min(pages, Math.ceil(first / o.pageSize) + 1);
    let fresh = 0;
    for (const item of items) {
      const k = o.key(item);
      if (seen.has(k)) {
        changed ??= `page ${offset} repeated an item`;
        continue;
      }
      seen.add(k);
      out.push(item);
      fresh++;
    }
    if (out.length >= Math.min(total, o.maxItems)) break;
    if (items.length < o.pageSize || !fresh) {
      changed ??= `page ${offset} ended the listing at ${out.length} of ${total} items`;
      break;
    }
  }
  if (out.length < Math.min(total, o.maxItems)) changed ??= `the pages ended at ${out.length} of ${total} items`;
  return { items: out.slice(0, o.maxItems), changed };
}
