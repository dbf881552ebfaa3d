/**
 * Wire types of the X-Road Security Server admin API (security-server-admin-api.yaml, X-Road 7.8.x),
 * snake_case exactly as on the wire. Hand-written for the operations xrdctl and the sandbox use.
 * Optional (`?`) follows the spec's `required` lists.
 */

export interface CodeWithDetails {
  code: string;
  metadata?: string[];
  validation_errors?: Record<string, string[]>;
}
export interface ErrorInfo {
  status: number;
  error?: CodeWithDetails;
  warnings?: CodeWithDetails[];
}

export type PossibleAction =
  | 'DELETE'
  | 'ACTIVATE'
  | 'DISABLE'
  | 'LOGIN'
  | 'LOGOUT'
  | 'REGISTER'
  | 'UNREGISTER'
  | 'IMPORT_FROM_TOKEN'
  | 'GENERATE_KEY'
  | 'EDIT_FRIENDLY_NAME'
  | 'GENERATE_AUTH_CSR'
  | 'GENERATE_SIGN_CSR'
  | 'TOKEN_CHANGE_PIN'
  | 'TOKEN_DELETE';
export type PossibleActions = PossibleAction[];

export type KeyUsageType = 'AUTHENTICATION' | 'SIGNING';
export type KeyAlgorithm = 'RSA' | 'EC';
export type CsrFormat = 'PEM' | 'DER';
export type KeyUsage =
  | 'DIGITAL_SIGNATURE'
  | 'NON_REPUDIATION'
  | 'KEY_ENCIPHERMENT'
  | 'DATA_ENCIPHERMENT'
  | 'KEY_AGREEMENT'
  | 'KEY_CERT_SIGN'
  | 'CRL_SIGN'
  | 'ENCIPHER_ONLY'
  | 'DECIPHER_ONLY';
export type CertificateStatus = 'SAVED' | 'REGISTRATION_IN_PROGRESS' | 'REGISTERED' | 'DELETION_IN_PROGRESS' | 'GLOBAL_ERROR';
export type CertificateOcspStatus =
  'DISABLED' | 'EXPIRED' | 'OCSP_RESPONSE_UNKNOWN' | 'OCSP_RESPONSE_GOOD' | 'OCSP_RESPONSE_SUSPENDED' | 'OCSP_RESPONSE_REVOKED';
export type CertificateAuthorityOcspResponse =
  'NOT_AVAILABLE' | 'OCSP_RESPONSE_UNKNOWN' | 'OCSP_RESPONSE_GOOD' | 'OCSP_RESPONSE_SUSPENDED' | 'OCSP_RESPONSE_REVOKED';
export type TokenStatus =
  'OK' | 'USER_PIN_LOCKED' | 'USER_PIN_INCORRECT' | 'USER_PIN_INVALID' | 'USER_PIN_EXPIRED' | 'USER_PIN_COUNT_LOW' | 'USER_PIN_FINAL_TRY' | 'NOT_INITIALIZED';
export type TokenType = 'SOFTWARE' | 'HARDWARE';
export type TokenInitStatus = 'INITIALIZED' | 'NOT_INITIALIZED' | 'UNKNOWN';
export type ClientStatus =
  'REGISTERED' | 'SAVED' | 'GLOBAL_ERROR' | 'REGISTRATION_IN_PROGRESS' | 'DELETION_IN_PROGRESS' | 'DISABLED' | 'DISABLING_IN_PROGRESS' | 'ENABLING_IN_PROGRESS';
export type ConnectionType = 'HTTP' | 'HTTPS' | 'HTTPS_NO_AUTH';
export type RenameStatus = 'NAME_SET' | 'NAME_SUBMITTED';
export type ServiceType = 'WSDL' | 'REST' | 'OPENAPI3';
export type ServiceClientType = 'GLOBALGROUP' | 'LOCALGROUP' | 'SUBSYSTEM';
export type CostType = 'FREE' | 'PAID' | 'UNDEFINED';
export type DiagnosticStatusClass = 'OK' | 'WAITING' | 'FAIL';
export type EndpointMethod = '*' | 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE';
export type MaintenanceModeStatus =
  'PENDING_ENABLE_MAINTENANCE_MODE' | 'ENABLED_MAINTENANCE_MODE' | 'PENDING_DISABLE_MAINTENANCE_MODE' | 'DISABLED_MAINTENANCE_MODE';

export interface Anchor {
  hash: string;
  created_at: string;
}

export interface CertificateDetails {
  issuer_distinguished_name: string;
  issuer_common_name: string;
  subject_distinguished_name: string;
  subject_common_name: string;
  not_before: string;
  not_after: string;
  serial: string;
  version: number;
  signature_algorithm: string;
  signature: string;
  public_key_algorithm: string;
  rsa_public_key_modulus: string;
  rsa_public_key_exponent: number;
  ec_public_parameters?: string;
  ec_public_key_point?: string;
  /** SHA-256 of the DER, upper-case hex without separators */
  hash: string;
  key_usages: KeyUsage[];
  subject_alternative_names: string;
}

export interface TokenCertificate {
  /** required in the spec, but absent on real servers for active non-REGISTERED certs */
  ocsp_status?: CertificateOcspStatus;
  owner_id: string;
  active: boolean;
  saved_to_configuration: boolean;
  renewed_cert_hash?: string;
  renewal_error?: string;
  ocsp_verify_before_activation_error?: string;
  next_automatic_renewal_time?: string;
  certificate_details: CertificateDetails;
  status: CertificateStatus;
  possible_actions?: PossibleActions;
}

export interface TokenCertificateSigningRequest {
  id: string;
  owner_id: string;
  certificate_profile?: string;
  possible_actions: PossibleActions;
}

export interface Key {
  id: string;
  name: string;
  label: string;
  certificates: TokenCertificate[];
  certificate_signing_requests: TokenCertificateSigningRequest[];
  usage?: KeyUsageType;
  available?: boolean;
  saved_to_configuration?: boolean;
  possible_actions?: PossibleActions;
  key_algorithm: KeyAlgorithm;
}

export interface KeyValuePair {
  key: string;
  value: string;
}

export interface Token {
  id: string;
  name: string;
  type: TokenType;
  keys: Key[];
  status: TokenStatus;
  logged_in: boolean;
  available: boolean;
  saved_to_configuration: boolean;
  read_only: boolean;
  serial_number?: string;
  token_infos?: KeyValuePair[];
  possible_actions?: PossibleActions;
}

export interface TokenPassword {
  password?: string;
}
export interface TokenPinUpdate {
  old_pin: string;
  new_pin: string;
}
export interface TokenName {
  name: string;
}
export interface KeyName {
  name: string;
}
export interface KeyLabel {
  label?: string;
}

export interface CsrGenerate {
  key_usage_type: KeyUsageType;
  ca_name: string;
  csr_format: CsrFormat;
  member_id?: string;
  subject_field_values: Record<string, string>;
  acme_order?: boolean;
}
export interface KeyLabelWithCsrGenerate {
  key_label: string;
  csr_generate_request: CsrGenerate;
}
export interface KeyWithCertificateSigningRequestId {
  key: Key;
  csr_id: string;
}
export interface AcmeOrder {
  csr_id: string;
  key_usage_type: KeyUsageType;
}
export interface AcmeEabCredentialsStatus {
  acme_eab_required: boolean;
  has_acme_external_account_credentials: boolean;
}

export interface OcspResponder {
  url: string;
  cost_type: CostType;
}
export interface CertificateAuthority {
  name: string;
  subject_distinguished_name: string;
  issuer_distinguished_name: string;
  ocsp_response: CertificateAuthorityOcspResponse;
  not_after: string;
  top_ca: boolean;
  path: string;
  authentication_only: boolean;
  certificate_profile_info?: string;
  default_csr_format?: CsrFormat;
  acme_capable?: boolean;
  acme_server_ip_addresses?: string[];
  ocsp_responders?: OcspResponder[];
}
export interface CsrSubjectFieldDescription {
  id: string;
  label?: string;
  label_key?: string;
  default_value?: string;
  read_only: boolean;
  required: boolean;
  localized: boolean;
}

export interface InitialServerConf {
  owner_member_class?: string;
  owner_member_code?: string;
  security_server_code?: string;
  software_token_pin?: string;
  ignore_warnings?: boolean;
}
export interface InitializationStatus {
  is_anchor_imported: boolean;
  is_server_code_initialized: boolean;
  is_server_owner_initialized: boolean;
  software_token_init_status: TokenInitStatus;
  enforce_token_pin_policy: boolean;
}

export interface Client {
  id?: string;
  instance_id?: string;
  member_name?: string;
  member_class: string;
  member_code: string;
  subsystem_code?: string;
  subsystem_name?: string;
  owner?: boolean;
  has_valid_local_sign_cert?: boolean;
  is_management_services_provider?: boolean;
  rename_status?: RenameStatus;
  connection_type?: ConnectionType;
  status?: ClientStatus;
}
export interface ClientAdd {
  client: Client;
  ignore_warnings?: boolean;
}
export interface ClientName {
  client_name: string;
}
export interface ConnectionTypeWrapper {
  connection_type?: ConnectionType;
}
export interface OrphanInformation {
  orphans_exist?: boolean;
}

export interface Endpoint {
  id?: string;
  service_code: string;
  method: EndpointMethod;
  path: string;
  generated?: boolean;
}
export interface EndpointUpdate {
  method: EndpointMethod;
  path: string;
}

export interface Service {
  id: string;
  full_service_code?: string;
  service_code: string;
  timeout: number;
  title?: string;
  ssl_auth?: boolean;
  subjects_count?: number;
  url: string;
  endpoints?: Endpoint[];
}
export interface ServiceUpdate {
  url: string;
  timeout: number;
  ssl_auth: boolean;
  url_all?: boolean;
  timeout_all?: boolean;
  ssl_auth_all?: boolean;
  ignore_warnings?: boolean;
}
export interface ServiceDescription {
  id: string;
  url: string;
  type: ServiceType;
  disabled: boolean;
  disabled_notice: string;
  refreshed_at: string;
  services: Service[];
  client_id: string;
}
export interface ServiceDescriptionAdd {
  url: string;
  rest_service_code?: string;
  ignore_warnings?: boolean;
  type: ServiceType;
}
export interface ServiceDescriptionUpdate {
  url: string;
  rest_service_code?: string;
  new_rest_service_code?: string;
  ignore_warnings?: boolean;
  type: ServiceType;
}
export interface ServiceDescriptionDisabledNotice {
  disabled_notice?: string;
}
export interface IgnoreWarnings {
  ignore_warnings?: boolean;
}

export interface ServiceClient {
  id: string;
  name?: string;
  local_group_code?: string;
  service_client_type?: ServiceClientType;
  rights_given_at?: string;
}
export interface ServiceClients {
  items?: ServiceClient[];
}
export interface AccessRight {
  service_code: string;
  service_title?: string;
  rights_given_at?: string;
}
export interface AccessRights {
  items?: AccessRight[];
}

export interface GroupMember {
  id: string;
  member_name: string;
  subsystem_name?: string;
  created_at: string;
}
export interface LocalGroup {
  id?: string;
  code: string;
  description: string;
  member_count?: number;
  updated_at?: string;
  members?: GroupMember[];
}
export interface LocalGroupAdd {
  code: string;
  description: string;
}
export interface LocalGroupDescription {
  description: string;
}
export interface Members {
  items?: string[];
}

export interface TimestampingService {
  name: string;
  url: string;
  cost_type: CostType;
}

export interface ConnectionStatus {
  status_class: DiagnosticStatusClass;
  error: CodeWithDetails;
}
export interface GlobalConfDiagnostics {
  status_class: DiagnosticStatusClass;
  prev_update_at: string;
  next_update_at: string;
  last_successful_url?: string;
  error?: CodeWithDetails;
}
export interface GlobalConfConnectionStatus {
  download_url: string;
  connection_status: ConnectionStatus;
}
export interface OcspResponderDiagnostics {
  url: string;
  cost_type?: CostType;
  status_class: DiagnosticStatusClass;
  prev_update_at?: string;
  next_update_at: string;
  error?: CodeWithDetails;
}
export interface CaOcspDiagnostics {
  distinguished_name: string;
  ocsp_responders: OcspResponderDiagnostics[];
}
export interface TimestampingServiceDiagnostics {
  url: string;
  cost_type?: CostType;
  status_class: DiagnosticStatusClass;
  prev_update_at: string;
  error?: CodeWithDetails;
}
export interface AddOnStatus {
  messagelog_enabled: boolean;
  opmonitoring_enabled: boolean;
}

export interface VersionInfo {
  info: string;
  java_version: number;
  min_java_version: number;
  max_java_version: number;
  using_supported_java_version: boolean;
  java_vendor: string;
  java_runtime_version: string;
  global_configuration_version?: number;
}

export interface SecurityServerAddress {
  address: string;
}
export interface SecurityServerAddressStatus {
  current_address?: SecurityServerAddress;
  requested_change?: SecurityServerAddress;
}
export interface SecurityServer {
  id: string;
  instance_id?: string;
  member_class?: string;
  member_code?: string;
  server_code?: string;
  server_address?: string;
}
export interface XRoadInstance {
  identifier: string;
  local: boolean;
}
export interface MemberName {
  member_name?: string;
}
export interface MaintenanceMode {
  status: MaintenanceModeStatus;
  message?: string;
  is_management_services_provider: boolean;
}
export interface MaintenanceModeMessage {
  message?: string;
}
export interface NodeTypeResponse {
  node_type: 'PRIMARY' | 'SECONDARY' | 'STANDALONE';
}
export interface ProxyMemoryUsageStatus {
  max_memory: number;
  total_memory: number;
  used_memory: number;
  threshold?: number;
  usage_percent: number;
  is_used_over_threshold: boolean;
}
