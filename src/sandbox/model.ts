/**
 * The sandbox's one state model (JSON-serialisable: it is the persisted snapshot) and its invariants.
 * Route handlers in ss-api.ts / cs-api.ts only read and change this model.
 */
import type { CertificateStatus, ClientStatus, ConnectionType, CostType, CsrFormat, EndpointMethod, KeyUsageType, ServiceType } from '../api/types/ss.js';
import type { ManagementRequestOrigin, ManagementRequestStatus, ManagementRequestType } from '../api/types/cs.js';

/** a certificate profile registered in profiles.ts ('EJBCA', 'BASIC', …) */
export type ProfileName = string;

export interface CaState {
  name: string;
  profile: ProfileName;
  defaultCsrFormat?: CsrFormat;
  authenticationOnly: boolean;
  keyPem: string;
  certPem: string;
  /** serial (lower hex) → revocation */
  revoked: Record<string, { at: string; reason?: string }>;
  /** serials this CA issued (lower hex) */
  issued: string[];
  /** certificate hash (SHA-256, upper hex) → serial, for revocation by hash */
  issuedHashes?: Record<string, string>;
  ocspUrl: string;
  acme: boolean;
  /** approved through POST /certification-services: the sandbox holds no key (keyPem is '') and signs nothing */
  external?: boolean;
  /** certification service id at the CS (absent: position + 1, the two built-in CAs) */
  id?: number;
  /** OCSP responders registered at the CS for an external CA */
  ocspResponders?: Array<{ id: number; url: string; costType: string; certPem?: string }>;
  acmeDirectoryUrl?: string;
  acmeIpAddress?: string;
}

export interface CsrState {
  id: string;
  usage: KeyUsageType;
  caName: string;
  format: CsrFormat;
  ownerId?: string; // member id for SIGNING
  subject: Array<{ name: string; value: string }>;
  san: string[];
  createdAt: string;
}

export interface CertState {
  hash: string;
  derB64: string;
  status: CertificateStatus;
  active: boolean;
  ownerId?: string;
  caName: string;
  serial: string;
  ocspVerifyBeforeActivationError?: string;
  importedAt: string;
}

export interface KeyState {
  id: string;
  label: string;
  name: string;
  usage?: KeyUsageType;
  privateKeyPem: string;
  publicKeyPem: string;
  csrs: CsrState[];
  certs: CertState[];
}

export interface ClientState {
  instance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode?: string;
  subsystemName?: string;
  connectionType: ConnectionType;
  status: ClientStatus;
  renameStatus?: 'NAME_SET' | 'NAME_SUBMITTED';
  tlsCerts: string[]; // DER b64
}

export interface EndpointState {
  id: string;
  method: EndpointMethod;
  path: string;
  generated: boolean;
}
export interface ServiceState {
  serviceCode: string;
  version?: string;
  title?: string;
  url: string;
  timeout: number;
  sslAuth: boolean;
  endpoints: EndpointState[];
}
export interface ServiceDescriptionState {
  id: string;
  clientId: string;
  url: string;
  type: ServiceType;
  restServiceCode?: string;
  disabled: boolean;
  disabledNotice: string;
  refreshedAt: string;
  services: ServiceState[];
}
export interface AclState {
  clientId: string;
  serviceCode: string;
  endpointId?: string;
  subjectId: string;
  givenAt: string;
}
export interface LocalGroupState {
  id: string;
  clientId: string;
  code: string;
  description: string;
  updatedAt: string;
  members: Array<{ id: string; createdAt: string }>;
}

export interface GcSnapshot {
  version: number; // CS model version it was generated from
  generatedAt: string;
  memberClasses: string[];
  members: Array<{ id: string; name: string; subsystems: Array<{ code: string; name?: string }> }>;
  servers: Array<{ id: string; address: string; authCertHashes: string[]; clients: string[]; maintenance: boolean; maintenanceMessage?: string }>;
  globalGroups: Array<{ code: string; members: string[] }>;
  caNames: string[];
  /** timestamping services approved at the CS (beyond the built-in sandbox TSA) */
  tsas?: Array<{ name: string; url: string }>;
  /** the verification certificate (SHA-256 hash) of the INTERNAL key that signed it; absent: unsigned (no keys) */
  signedBy?: string;
  /** every INTERNAL source verification certificate the configuration lists (the SS learns them once verified) */
  signingCerts?: string[];
}

export interface SsState {
  name: string;
  index: number;
  anchor?: { hash: string; createdAt: string; xml: string };
  serverCode?: string;
  ownerClass?: string;
  ownerCode?: string;
  pinSha256?: string;
  tokenInitialized: boolean;
  loggedIn: boolean;
  tokenName: string;
  keys: KeyState[];
  clients: ClientState[];
  serviceDescriptions: ServiceDescriptionState[];
  acls: AclState[];
  localGroups: LocalGroupState[];
  tsps: Array<{ name: string; url: string; cost_type: CostType }>;
  address: string;
  requestedAddress?: string;
  maintenance: boolean;
  maintenanceMessage?: string;
  maintenancePending?: 'ENABLE' | 'DISABLE';
  gc: {
    downloaded?: GcSnapshot;
    downloadedAt?: string;
    reconciledVersion: number;
    reconciledAt?: string;
    /** verification certificates learned from configurations this SS verified */
    learnedSigners?: string[];
    /** the last download did not verify against this SS's anchor (and what it learned) */
    verifyError?: string;
  };
  /** the internal TLS certificate (POST /system/certificate …); absent: the admin listener's certificate */
  internalTls?: { keyPem: string; certPem: string; publicKeyPem: string };
  /** configuration backups (POST /backups); restore replaces the key configuration and the local configuration */
  backups?: BackupState[];
}

export interface BackupState {
  filename: string;
  createdAt: string;
  snapshot: Pick<SsState, 'keys' | 'clients' | 'serviceDescriptions' | 'acls' | 'localGroups' | 'tsps' | 'pinSha256' | 'tokenInitialized'>;
}

export type ConfigurationSource = 'INTERNAL' | 'EXTERNAL';
/** a CS configuration signing key (cs-signing.ts): on the CS token, one active per source */
export interface SigningKeyState {
  id: string;
  source: ConfigurationSource;
  label: string;
  keyPem: string;
  certPem: string;
  certHash: string;
  createdAt: string;
  active: boolean;
}

export interface CsMember {
  memberClass: string;
  memberCode: string;
  name: string;
  createdAt: string;
  subsystems: Array<{ code: string; name?: string; createdAt: string }>;
}
export interface CsServer {
  ownerClass: string;
  ownerCode: string;
  serverCode: string;
  address: string;
  authCerts: Array<{ id: number; derB64: string; hash: string }>;
  clients: string[]; // encoded client ids (members or subsystems)
  /** clients disabled by a CLIENT_DISABLE_REQUEST: left out of globalconf */
  disabled?: string[];
  createdAt: string;
  updatedAt: string;
  maintenance: boolean;
  maintenanceMessage?: string;
}
export interface MgmtRequest {
  id: number;
  type: ManagementRequestType;
  origin: ManagementRequestOrigin;
  status?: ManagementRequestStatus;
  serverId: string;
  clientId?: string;
  subsystemName?: string;
  address?: string;
  authCertB64?: string;
  comments?: string;
  createdAt: string;
  updatedAt: string;
}
export interface CsState {
  memberClasses: Array<{ code: string; description: string }>;
  members: CsMember[];
  servers: CsServer[];
  requests: MgmtRequest[];
  globalGroups: Array<{ code: string; description: string; members: string[] }>;
  tokenLoggedIn: boolean;
  /** false under --preset blank until POST /initialization (absent: initialised) */
  initialized?: boolean;
  pinSha256?: string;
  /** timestamping services approved at the CS (POST /timestamping-services) */
  tsas?: Array<{ id: number; url: string; costType: 'FREE' | 'PAID' | 'UNDEFINED'; certPem: string }>;
  /** management-services configuration: the provider subsystem and the SS it is registered on */
  managementServices?: { serviceProviderId?: string; securityServerId?: string };
  /** configuration signing keys (absent in states written before they were modelled: globalconf is then unsigned) */
  signingKeys?: SigningKeyState[];
  /** the anchors as last (re-)created: generation time and the verification certificates (DER base64) */
  anchors?: Partial<Record<ConfigurationSource, { generatedAt: string; certsB64: string[] }>>;
  address: string;
  /** [center] auto-approve-auth-cert-reg-requests / -client-reg-requests / -owner-change-requests */
  autoApprove?: { authCertRegistration?: boolean; clientRegistration?: boolean; ownerChange?: boolean };
  version: number;
  published?: GcSnapshot;
}

export interface AdminTls {
  keyPem: string;
  certPem: string;
}

export interface State {
  format: 'xrdctl-sandbox/1';
  instance: string;
  createdAt: string;
  clockOffsetMs: number;
  seq: number;
  certValidityDays: number;
  gcIntervalMs: number;
  controlToken: string;
  cas: CaState[];
  tsa: { name: string; url: string; cost_type: CostType };
  cs: CsState;
  ss: SsState[];
  tls: Record<string, AdminTls>;
  apiKeys: Record<string, Record<string, string>>; // server name → label → key
  ports: Record<string, number>;
  /** the rehearsal referee's record (outages.ts); absent in states written before it existed */
  outages?: OutageState;
}

// ---------- ids ----------
export interface ClientIdParts {
  instance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode?: string;
}

export function parseClientId(id: string): ClientIdParts | undefined {
  const p = id.split(':');
  if (p.length !== 3 && p.length !== 4) return undefined;
  if (p.some((x) => x.length === 0)) return undefined;
  return { instance: p[0]!, memberClass: p[1]!, memberCode: p[2]!, subsystemCode: p[3] };
}
export function clientIdOf(c: { instance: string; memberClass: string; memberCode: string; subsystemCode?: string }): string {
  return [c.instance, c.memberClass, c.memberCode, ...(c.subsystemCode ? [c.subsystemCode] : [])].join(':');
}
export function memberIdOf(c: { instance: string; memberClass: string; memberCode: string }): string {
  return `${c.instance}:${c.memberClass}:${c.memberCode}`;
}
export function serverIdOf(instance: string, s: { ownerClass: string; ownerCode: string; serverCode: string }): string {
  return `${instance}:${s.ownerClass}:${s.ownerCode}:${s.serverCode}`;
}
export function ssServerId(st: State, ss: SsState): string | undefined {
  if (!ss.serverCode || !ss.ownerClass || !ss.ownerCode) return undefined;
  return `${st.instance}:${ss.ownerClass}:${ss.ownerCode}:${ss.serverCode}`;
}
export function ssOwnerId(st: State, ss: SsState): string | undefined {
  if (!ss.ownerClass || !ss.ownerCode) return undefined;
  return `${st.instance}:${ss.ownerClass}:${ss.ownerCode}`;
}

export function nextId(st: State): string {
  st.seq += 1;
  return String(st.seq);
}

/** The outage record (outages.ts keeps it): intervals without a working certificate, and who ever had one. */
export interface OutageState {
  records: { server: string; member?: string; kind: 'auth' | 'sign' | 'globalconf'; from: string; to: string | null }[];
  /** subjects ('auth ss1', 'sign DEV:GOV:1001') that had a working certificate at some point */
  seen: string[];
}
