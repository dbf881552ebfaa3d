/**
 * Wire types of the X-Road Central Server admin API (central-server-admin-api.yaml, X-Road 7.8.x),
 * snake_case exactly as on the wire. Hand-written for the operations xrdctl and the sandbox use.
 */
export type { CodeWithDetails, ErrorInfo, CsrFormat, KeyUsage, CostType, TokenInitStatus } from './ss.js';
import type { CsrFormat, KeyUsage, TokenInitStatus, CostType } from './ss.js';

export type XRoadIdType = 'MEMBER' | 'SUBSYSTEM' | 'SERVER' | 'GLOBALGROUP' | 'SERVICE' | 'LOCALGROUP';
export interface ClientId {
  instance_id: string;
  type: XRoadIdType;
  member_class: string;
  member_code: string;
  subsystem_code?: string;
  encoded_id?: string;
}
export interface SecurityServerId {
  instance_id: string;
  type: XRoadIdType;
  member_class: string;
  member_code: string;
  server_code: string;
  encoded_id?: string;
}
export interface MemberId {
  member_class: string;
  member_code: string;
}
export interface NewSubsystemId extends MemberId {
  subsystem_code: string;
}

export interface Client {
  member_name?: string;
  client_id: ClientId;
}
export interface MemberAdd {
  member_name?: string;
  member_id: MemberId;
}
export interface MemberName {
  member_name?: string;
}
export interface SubsystemAdd {
  subsystem_name?: string;
  subsystem_id: NewSubsystemId;
}
export interface SubsystemName {
  subsystem_name?: string;
}
export interface UsedSecurityServers {
  encoded_id?: string;
  server_code?: string;
  server_owner?: string;
  status?: string;
}
export interface Subsystem {
  subsystem_name?: string;
  subsystem_id: ClientId;
  used_security_servers: UsedSecurityServers[];
}
export type ClientType = 'MEMBER' | 'SUBSYSTEM';
export interface MemberClass {
  code: string;
  description: string;
}

export interface PagingMetadata {
  total_items: number;
  items: number;
  limit: number;
  offset: number;
}
/** the spec's properties say `clients`, its required list says `items`; the sandbox sends both */
export interface PagedClients {
  clients?: Client[];
  items?: Client[];
  paging_metadata: PagingMetadata;
}

export interface SecurityServer {
  server_address: string;
  created_at?: string;
  updated_at?: string;
  server_id: SecurityServerId;
  owner_name?: string;
  in_maintenance_mode: boolean;
  maintenance_mode_message?: string;
}
export interface PagedSecurityServers {
  items: SecurityServer[];
  paging_metadata: PagingMetadata;
}
export interface SecurityServerAddress {
  server_address: string;
}

export interface CertificateDetails {
  hash: string;
  issuer_common_name: string;
  issuer_distinguished_name: string;
  key_usages: KeyUsage[];
  not_after: string;
  not_before: string;
  public_key_algorithm: string;
  rsa_public_key_exponent: number;
  rsa_public_key_modulus: string;
  ec_public_parameters?: string;
  ec_public_key_point?: string;
  serial: string;
  signature: string;
  signature_algorithm: string;
  subject_alternative_names: string;
  subject_common_name: string;
  subject_distinguished_name: string;
  version: number;
}
/** GET /security-servers/{id}/authentication-certificates items (CertificateDetails + id) */
export interface SecurityServerAuthenticationCertificateDetails extends CertificateDetails {
  id?: number;
}

export interface ApprovedCertificationServiceListItem {
  id: number;
  name: string;
  not_after: string;
  not_before: string;
}
export interface ApprovedCertificationService {
  id: number;
  name?: string;
  issuer_distinguished_name?: string;
  subject_distinguished_name?: string;
  not_after?: string;
  not_before?: string;
  certificate_profile_info: string;
  tls_auth: boolean;
  default_csr_format?: CsrFormat;
  acme_server_directory_url?: string;
  acme_server_ip_address?: string;
  authentication_certificate_profile_id?: string;
  signing_certificate_profile_id?: string;
}
export interface OcspResponder {
  id: number;
  url: string;
  cost_type: CostType;
  has_certificate?: boolean;
}

/** the management request types and statuses of the API, as values: the CLI's flags and the sandbox's checks take them from here */
export const MANAGEMENT_REQUEST_TYPES = [
  'AUTH_CERT_REGISTRATION_REQUEST',
  'CLIENT_REGISTRATION_REQUEST',
  'OWNER_CHANGE_REQUEST',
  'CLIENT_DELETION_REQUEST',
  'CLIENT_DISABLE_REQUEST',
  'CLIENT_ENABLE_REQUEST',
  'CLIENT_RENAME_REQUEST',
  'AUTH_CERT_DELETION_REQUEST',
  'ADDRESS_CHANGE_REQUEST',
  'MAINTENANCE_MODE_ENABLE_REQUEST',
  'MAINTENANCE_MODE_DISABLE_REQUEST',
] as const;
export type ManagementRequestType = (typeof MANAGEMENT_REQUEST_TYPES)[number];
export const MANAGEMENT_REQUEST_STATUSES = ['WAITING', 'APPROVED', 'DECLINED', 'REVOKED', 'SUBMITTED FOR APPROVAL'] as const;
export type ManagementRequestStatus = (typeof MANAGEMENT_REQUEST_STATUSES)[number];
export type ManagementRequestOrigin = 'CENTER' | 'SECURITY_SERVER';

/** POST /management-requests body and add/approve responses: ids are encoded strings */
export interface ManagementRequest {
  id?: number;
  type: ManagementRequestType;
  origin: ManagementRequestOrigin;
  security_server_owner?: string;
  security_server_id: string;
  status?: ManagementRequestStatus;
  created_at?: string;
  updated_at?: string;
  server_address?: string;
  authentication_certificate?: string;
  client_id?: string;
  subsystem_name?: string;
  message?: string;
}
/** list and detail views: ids are objects */
export interface ManagementRequestListView {
  id?: number;
  type: ManagementRequestType;
  origin: ManagementRequestOrigin;
  security_server_owner?: string;
  security_server_id: SecurityServerId;
  address?: string;
  status?: ManagementRequestStatus;
  client_id?: ClientId;
  client_owner_name?: string;
  client_subsystem_name?: string;
  created_at?: string;
}
export interface ManagementRequestDetailedView extends ManagementRequestListView {
  comments?: string;
  certificate_details?: CertificateDetails;
}
export interface PagedManagementRequests {
  items: ManagementRequestListView[];
  paging_metadata: PagingMetadata;
}

export interface InitializationStatus {
  instance_identifier: string;
  central_server_address: string;
  software_token_init_status: TokenInitStatus;
}
export interface HighAvailabilityStatus {
  is_ha_configured?: boolean;
  node_name?: string;
}
export interface SystemStatus {
  high_availability_status?: HighAvailabilityStatus;
  initialization_status?: InitializationStatus;
}
export interface Version {
  info: string;
}
export interface GlobalConfDownloadUrl {
  url: string;
}

/** GET /tokens items: the CS token with its configuration signing keys */
export interface ConfigurationSigningKey {
  id: string;
  label: { label?: string };
  created_at: string;
  active: boolean;
  available: boolean;
  key_hash?: string;
  token_id?: string;
  possible_actions: string[];
  source_type?: 'INTERNAL' | 'EXTERNAL';
  key_algorithm?: string;
}
export interface CsToken {
  id: string;
  name: string;
  status: string;
  logged_in: boolean;
  active: boolean;
  available: boolean;
  keys?: unknown[];
  configuration_signing_keys?: ConfigurationSigningKey[];
}
export type HaNodeStatus = 'OK' | 'WARN' | 'ERROR' | 'UNKNOWN';
export interface HaClusterNode {
  node_name?: string;
  node_address?: string;
  configuration_generated?: string;
  status?: HaNodeStatus;
}
export interface HaClusterStatus extends HighAvailabilityStatus {
  nodes?: HaClusterNode[];
  all_nodes_ok?: boolean;
}
export type ConfigurationType = 'INTERNAL' | 'EXTERNAL';
export interface ConfigurationPart {
  content_identifier: string;
  file_name: string;
  optional: boolean;
  file_updated_at: string;
  version: number;
}
