/**
 * Shapes of the 2xx answers xrdctl uses, checked at the API client before any code touches them:
 * a server (or a proxy, or an attacker) that answers HTML, `null` or a wrong shape gets an ApiError
 * naming the server, the step and the first thing wrong, never "….map is not a function" later.
 * Only what xrdctl reads is required (real servers leave out some fields the spec calls required);
 * the OpenAPI conformance tests check the rest against the spec.
 */
export type Shape = (v: unknown, at: string) => string | undefined;

const kind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : typeof v;
const here = (at: string) => at || 'the answer';

export const str: Shape = (v, at) => (typeof v === 'string' ? undefined : `${here(at)} must be a string, not ${kind(v)}`);
export const num: Shape = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${here(at)} must be a number, not ${kind(v)}`);
export const bool: Shape = (v, at) => (typeof v === 'boolean' ? undefined : `${here(at)} must be true or false, not ${kind(v)}`);
/** a string or a number (ids that some versions send as numbers) */
export const id: Shape = (v, at) =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? undefined : `${here(at)} must be an id, not ${kind(v)}`;

export const opt =
  (s: Shape): Shape =>
  (v, at) =>
    v === undefined || v === null ? undefined : s(v, at);

export const arr =
  (item: Shape): Shape =>
  (v, at) => {
    if (!Array.isArray(v)) return `${here(at)} must be a list, not ${kind(v)}`;
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i], `${at}[${i}]`);
      if (p) return p;
    }
    return undefined;
  };

export const obj =
  (fields: Record<string, Shape> = {}): Shape =>
  (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${here(at)} must be an object, not ${kind(v)}`;
    for (const [k, s] of Object.entries(fields)) {
      const p = s((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      if (p) return p;
    }
    return undefined;
  };

/** A RequestOptions.expect for a shape. */
export const expect =
  (s: Shape) =>
  (body: unknown): string | undefined =>
    s(body, '');

// ---- Security Server
const tokenCertificate = obj({ certificate_details: obj({ hash: str, not_after: str }), status: opt(str), active: opt(bool), owner_id: opt(str) });
const csrRef = obj({ id: str });
const key = obj({ id: str, certificates: arr(tokenCertificate), certificate_signing_requests: arr(csrRef) });
const token = obj({ id: str, keys: arr(key), logged_in: opt(bool) });
const ssClient = obj({ member_class: str, member_code: str, subsystem_code: opt(str), status: opt(str) });
const endpoint = obj({ method: opt(str), path: opt(str) });
const service = obj({ id: str, service_code: str, endpoints: opt(arr(endpoint)) });
const serviceDescription = obj({ id: str, url: str, services: arr(service) });
const serviceClient = obj({ id: str });
const localGroup = obj({ id: opt(id), code: str, members: opt(arr(obj({ id: opt(str) }))) });

export const SS = {
  version: obj({ info: str }),
  initializationStatus: obj(),
  securityServers: arr(obj({ id: str })),
  serverAddress: obj(),
  tokens: arr(token),
  token,
  key,
  keyWithCsr: obj({ key, csr_id: str }),
  cas: arr(obj({ name: str })),
  subjectFields: arr(obj({ id: str })),
  tokenCertificate,
  clients: arr(ssClient),
  client: ssClient,
  serviceDescriptions: arr(serviceDescription),
  serviceDescription,
  service,
  endpoint,
  serviceClients: arr(serviceClient),
  accessRights: arr(obj({ service_code: str })),
  localGroups: arr(localGroup),
  localGroup,
  anchor: obj(),
  tlsCertificates: arr(obj({ hash: str, subject_distinguished_name: opt(str), not_after: opt(str) })),
  timestampingServices: arr(obj({ url: str })),
  /** an object whose fields the caller reads defensively (diagnostics) */
  anyObject: obj(),
  anyList: arr(obj()),
};

// ---- Central Server
const clientId = obj({ member_class: str, member_code: str, subsystem_code: opt(str) });
const csClient = obj({ client_id: clientId });
const paging = obj({ total_items: num });
const managementRequest = obj({ id: opt(id), type: opt(str), status: opt(str) });

export const CS = {
  version: obj({ info: str }),
  systemStatus: obj(),
  managementRequests: obj({ items: arr(managementRequest), paging_metadata: paging }),
  managementRequest,
  clients: obj({ clients: opt(arr(csClient)), items: opt(arr(csClient)), paging_metadata: paging }),
  client: csClient,
  subsystem: csClient,
  /** an item of a member's subsystems (GET /members/{id}/subsystems) */
  memberSubsystem: obj({ subsystem_id: obj({ subsystem_code: opt(str) }) }),
  authCerts: arr(obj()),
  tokens: arr(obj({ id: str })),
  anyObject: obj(),
  anyList: arr(obj()),
};
