import type { HttpClient } from '../http/index.js';
import { seg } from './segment.js';
import { SS, expect, opt, type Shape } from './shape.js';
import type * as T from './types/ss.js';

const enc = seg;

/**
 * Typed client for the Security Server admin API (/api/v1). Method names follow the spec's
 * operationIds; any 2xx is accepted because real servers deviate from the spec's success codes.
 */
export class SecurityServerApi {
  constructor(readonly http: HttpClient) {}

  get server(): string {
    return this.http.server;
  }

  private async get<R>(path: string, step: string, shape: Shape, query?: Record<string, string | number | boolean | undefined>): Promise<R> {
    return (await this.http.request<R>({ method: 'GET', path, query, step, expect: expect(shape) })).body;
  }

  // system & initialization
  getVersion() {
    return this.get<T.VersionInfo>('/system/version', 'get-version', SS.version);
  }
  getInitializationStatus() {
    return this.get<T.InitializationStatus>('/initialization/status', 'get-initialization-status', SS.initializationStatus);
  }
  async uploadInitialAnchor(anchor: Buffer) {
    return (await this.http.request<T.Anchor>({ method: 'POST', path: '/system/anchor', body: anchor, step: 'upload-anchor', expect: expect(opt(SS.anchor)) }))
      .body;
  }
  getAnchor() {
    return this.get<T.Anchor>('/system/anchor', 'get-anchor', SS.anyObject);
  }
  /** Replace the configuration anchor of an initialised server (a re-created anchor after a signing key change). */
  async replaceAnchor(anchor: Buffer) {
    await this.http.request({ method: 'PUT', path: '/system/anchor', body: anchor, step: 'replace-anchor', idempotent: true });
  }
  async initSecurityServer(conf: T.InitialServerConf) {
    await this.http.request({ method: 'POST', path: '/initialization', body: conf, step: 'initialize' });
  }
  getApprovedTimestampingServices() {
    return this.get<T.TimestampingService[]>('/timestamping-services', 'list-approved-timestamping-services', SS.timestampingServices);
  }
  getConfiguredTimestampingServices() {
    return this.get<T.TimestampingService[]>('/system/timestamping-services', 'list-timestamping-services', SS.timestampingServices);
  }
  async addTimestampingService(tsa: T.TimestampingService) {
    return (
      await this.http.request<T.TimestampingService>({ method: 'POST', path: '/system/timestamping-services', body: tsa, step: 'add-timestamping-service' })
    ).body;
  }
  getCurrentSecurityServer() {
    return this.get<T.SecurityServer[]>('/security-servers', 'get-server-id', SS.securityServers, { current_server: true });
  }
  getServerAddress() {
    return this.get<T.SecurityServerAddressStatus>('/system/server-address', 'get-server-address', SS.serverAddress);
  }

  getMaintenanceMode() {
    return this.get<T.MaintenanceMode>('/system/maintenance-mode', 'get-maintenance-mode', SS.anyObject);
  }

  // diagnostics (DIAGNOSTICS permission: System Administrator or Observer)
  getGlobalConfDiagnostics() {
    return this.get<T.GlobalConfDiagnostics>('/diagnostics/globalconf', 'diagnostics-globalconf', SS.anyObject);
  }
  getGlobalConfStatus() {
    return this.get<T.GlobalConfConnectionStatus[]>('/diagnostics/global-conf-status', 'diagnostics-globalconf-urls', SS.anyList);
  }
  getOcspRespondersDiagnostics() {
    return this.get<T.CaOcspDiagnostics[]>('/diagnostics/ocsp-responders', 'diagnostics-ocsp', SS.anyList);
  }
  getTimestampingServicesDiagnostics() {
    return this.get<T.TimestampingServiceDiagnostics[]>('/diagnostics/timestamping-services', 'diagnostics-timestamping', SS.anyList);
  }
  getAddOnDiagnostics() {
    return this.get<T.AddOnStatus>('/diagnostics/addon-status', 'diagnostics-addons', SS.anyObject);
  }
  getAuthCertReqStatus() {
    return this.get<T.ConnectionStatus>('/diagnostics/auth-cert-req-status', 'diagnostics-auth-cert-req', SS.anyObject);
  }
  getProxyMemoryUsage() {
    return this.get<T.ProxyMemoryUsageStatus>('/diagnostics/proxy-memory-usage-status', 'diagnostics-proxy-memory', SS.anyObject);
  }

  // tokens
  getTokens() {
    return this.get<T.Token[]>('/tokens', 'list-tokens', SS.tokens);
  }
  getToken(id: string) {
    return this.get<T.Token>(`/tokens/${enc(id)}`, 'get-token', SS.token);
  }
  async loginToken(id: string, pin: string) {
    return (
      await this.http.request<T.Token>({
        method: 'PUT',
        path: `/tokens/${enc(id)}/login`,
        body: { password: pin },
        step: 'token-login',
        expect: expect(opt(SS.token)),
      })
    ).body;
  }
  async logoutToken(id: string) {
    return (await this.http.request<T.Token>({ method: 'PUT', path: `/tokens/${enc(id)}/logout`, step: 'token-logout', expect: expect(opt(SS.token)) })).body;
  }

  // keys & CSRs
  async addKey(tokenId: string, label: string) {
    return (
      await this.http.request<T.Key>({ method: 'POST', path: `/tokens/${enc(tokenId)}/keys`, body: { label }, step: 'create-key', expect: expect(SS.key) })
    ).body;
  }
  async addKeyAndCsr(tokenId: string, req: T.KeyLabelWithCsrGenerate) {
    return (
      await this.http.request<T.KeyWithCertificateSigningRequestId>({
        method: 'POST',
        path: `/tokens/${enc(tokenId)}/keys-with-csrs`,
        body: req,
        step: 'create-key-and-csr',
        expect: expect(SS.keyWithCsr),
      })
    ).body;
  }
  getKey(id: string) {
    return this.get<T.Key>(`/keys/${enc(id)}`, 'get-key', SS.key);
  }
  async deleteKey(id: string, ignoreWarnings = false) {
    await this.http.request({ method: 'DELETE', path: `/keys/${enc(id)}`, query: { ignore_warnings: ignoreWarnings || undefined }, step: 'delete-key' });
  }
  async generateCsr(keyId: string, req: T.CsrGenerate) {
    return (
      await this.http.request<Buffer | undefined>({
        method: 'POST',
        path: `/keys/${enc(keyId)}/csrs`,
        body: req,
        accept: 'application/octet-stream, application/json',
        step: 'create-csr',
      })
    ).body;
  }
  async downloadCsr(keyId: string, csrId: string, format: T.CsrFormat) {
    const r = await this.http.request<Buffer | string>({
      method: 'GET',
      path: `/keys/${enc(keyId)}/csrs/${enc(csrId)}`,
      query: { csr_format: format },
      accept: 'application/octet-stream, application/json',
      step: 'download-csr',
    });
    return Buffer.isBuffer(r.body) ? r.body : Buffer.from(String(r.body ?? ''));
  }
  async deleteCsr(keyId: string, csrId: string) {
    await this.http.request({ method: 'DELETE', path: `/keys/${enc(keyId)}/csrs/${enc(csrId)}`, step: 'delete-csr' });
  }

  // certificate authorities
  getApprovedCertificateAuthorities(usage?: T.KeyUsageType) {
    return this.get<T.CertificateAuthority[]>('/certificate-authorities', 'list-cas', SS.cas, { key_usage_type: usage });
  }
  getSubjectFieldDescriptions(ca: string, q: { key_usage_type: T.KeyUsageType; member_id?: string; key_id?: string; is_new_member?: boolean }) {
    return this.get<T.CsrSubjectFieldDescription[]>(`/certificate-authorities/${enc(ca)}/csr-subject-fields`, 'get-csr-subject-fields', SS.subjectFields, q);
  }
  async orderAcmeCertificate(ca: string, order: T.AcmeOrder) {
    await this.http.request({ method: 'POST', path: `/certificate-authorities/${enc(ca)}/acme-order`, body: order, step: 'acme-order' });
  }

  // certificates
  async importCertificate(cert: Buffer) {
    return (
      await this.http.request<T.TokenCertificate>({
        method: 'POST',
        path: '/token-certificates',
        body: cert,
        step: 'import-cert',
        expect: expect(SS.tokenCertificate),
      })
    ).body;
  }
  getCertificate(hash: string) {
    return this.get<T.TokenCertificate>(`/token-certificates/${enc(hash)}`, 'get-cert', SS.tokenCertificate);
  }
  async registerCertificate(hash: string, address: string) {
    await this.http.request({ method: 'PUT', path: `/token-certificates/${enc(hash)}/register`, body: { address }, step: 'register-cert' });
  }
  async unregisterAuthCertificate(hash: string) {
    await this.http.request({ method: 'PUT', path: `/token-certificates/${enc(hash)}/unregister`, step: 'unregister-cert' });
  }
  async markAuthCertForDeletion(hash: string) {
    await this.http.request({ method: 'PUT', path: `/token-certificates/${enc(hash)}/mark-for-deletion`, step: 'mark-cert-for-deletion' });
  }
  async activateCertificate(hash: string) {
    await this.http.request({ method: 'PUT', path: `/token-certificates/${enc(hash)}/activate`, step: 'activate-cert' });
  }
  async disableCertificate(hash: string) {
    await this.http.request({ method: 'PUT', path: `/token-certificates/${enc(hash)}/disable`, step: 'disable-cert' });
  }
  async deleteCertificate(hash: string) {
    await this.http.request({ method: 'DELETE', path: `/token-certificates/${enc(hash)}`, step: 'delete-cert' });
  }

  // clients
  getClients(q: { show_members?: boolean; internal_search?: boolean } = {}) {
    return this.get<T.Client[]>('/clients', 'list-clients', SS.clients, q);
  }
  getClient(id: string) {
    return this.get<T.Client>(`/clients/${enc(id)}`, 'get-client', SS.client);
  }
  async addClient(client: T.Client, ignoreWarnings = false) {
    return (
      await this.http.request<T.Client>({
        method: 'POST',
        path: '/clients',
        body: { client, ignore_warnings: ignoreWarnings },
        step: 'add-client',
        expect: expect(opt(SS.client)),
      })
    ).body;
  }
  async registerClient(id: string) {
    await this.http.request({ method: 'PUT', path: `/clients/${enc(id)}/register`, step: 'register-client' });
  }
  async unregisterClient(id: string) {
    await this.http.request({ method: 'PUT', path: `/clients/${enc(id)}/unregister`, step: 'unregister-client' });
  }
  async updateClientConnectionType(id: string, connectionType: T.ConnectionType) {
    await this.http.request({ method: 'PATCH', path: `/clients/${enc(id)}`, body: { connection_type: connectionType }, step: 'set-connection-type' });
  }
  getClientTlsCertificates(id: string) {
    return this.get<{ hash: string; subject_distinguished_name: string; not_after: string }[]>(
      `/clients/${enc(id)}/tls-certificates`,
      'list-tls-certificates',
      SS.tlsCertificates,
    );
  }
  async addClientTlsCertificate(id: string, der: Buffer) {
    await this.http.request({ method: 'POST', path: `/clients/${enc(id)}/tls-certificates`, body: der, step: 'add-tls-certificate' });
  }
  async deleteClient(id: string) {
    await this.http.request({ method: 'DELETE', path: `/clients/${enc(id)}`, step: 'delete-client' });
  }

  // service descriptions, services, endpoints
  getClientServiceDescriptions(clientId: string) {
    return this.get<T.ServiceDescription[]>(`/clients/${enc(clientId)}/service-descriptions`, 'list-service-descriptions', SS.serviceDescriptions);
  }
  async addServiceDescription(clientId: string, sd: T.ServiceDescriptionAdd) {
    return (
      await this.http.request<T.ServiceDescription>({
        method: 'POST',
        path: `/clients/${enc(clientId)}/service-descriptions`,
        body: sd,
        step: 'add-service-description',
        expect: expect(opt(SS.serviceDescription)),
      })
    ).body;
  }
  async updateServiceDescription(id: string, u: T.ServiceDescriptionUpdate) {
    return (
      await this.http.request<T.ServiceDescription>({
        method: 'PATCH',
        path: `/service-descriptions/${enc(id)}`,
        body: u,
        step: 'update-service-description',
        expect: expect(opt(SS.serviceDescription)),
      })
    ).body;
  }
  async deleteServiceDescription(id: string) {
    await this.http.request({ method: 'DELETE', path: `/service-descriptions/${enc(id)}`, step: 'delete-service-description' });
  }
  async enableServiceDescription(id: string) {
    await this.http.request({ method: 'PUT', path: `/service-descriptions/${enc(id)}/enable`, step: 'enable-service-description' });
  }
  async disableServiceDescription(id: string, notice?: string) {
    await this.http.request({
      method: 'PUT',
      path: `/service-descriptions/${enc(id)}/disable`,
      body: { disabled_notice: notice },
      step: 'disable-service-description',
    });
  }
  async refreshServiceDescription(id: string, ignoreWarnings = false) {
    return (
      await this.http.request<T.ServiceDescription>({
        method: 'PUT',
        path: `/service-descriptions/${enc(id)}/refresh`,
        body: { ignore_warnings: ignoreWarnings },
        step: 'refresh-service-description',
        expect: expect(opt(SS.serviceDescription)),
      })
    ).body;
  }
  async updateService(id: string, u: T.ServiceUpdate) {
    return (
      await this.http.request<T.Service>({ method: 'PATCH', path: `/services/${enc(id)}`, body: u, step: 'update-service', expect: expect(opt(SS.service)) })
    ).body;
  }
  async addEndpoint(serviceId: string, e: { service_code: string; method: T.EndpointMethod; path: string }) {
    return (
      await this.http.request<T.Endpoint>({
        method: 'POST',
        path: `/services/${enc(serviceId)}/endpoints`,
        body: e,
        step: 'add-endpoint',
        expect: expect(opt(SS.endpoint)),
      })
    ).body;
  }
  async deleteEndpoint(id: string) {
    await this.http.request({ method: 'DELETE', path: `/endpoints/${enc(id)}`, step: 'delete-endpoint' });
  }

  // access rights (service-client centric: per subject, the codes of this client's services it may call)
  getServiceClients(clientId: string) {
    return this.get<T.ServiceClient[]>(`/clients/${enc(clientId)}/service-clients`, 'list-service-clients', SS.serviceClients);
  }
  getServiceClientAccessRights(clientId: string, scId: string) {
    return this.get<T.AccessRight[]>(`/clients/${enc(clientId)}/service-clients/${enc(scId)}/access-rights`, 'list-access-rights', SS.accessRights);
  }
  async addServiceClientAccessRights(clientId: string, scId: string, codes: string[]) {
    await this.http.request({
      method: 'POST',
      path: `/clients/${enc(clientId)}/service-clients/${enc(scId)}/access-rights`,
      body: { items: codes.map((service_code) => ({ service_code })) },
      step: 'grant-access',
    });
  }
  async deleteServiceClientAccessRights(clientId: string, scId: string, codes: string[]) {
    await this.http.request({
      method: 'POST',
      path: `/clients/${enc(clientId)}/service-clients/${enc(scId)}/access-rights/delete`,
      body: { items: codes.map((service_code) => ({ service_code })) },
      step: 'revoke-access',
    });
  }

  // access rights (service-centric)
  getServiceServiceClients(serviceId: string) {
    return this.get<T.ServiceClient[]>(`/services/${enc(serviceId)}/service-clients`, 'list-access-rights', SS.serviceClients);
  }
  async addServiceServiceClients(serviceId: string, ids: string[]) {
    await this.http.request({
      method: 'POST',
      path: `/services/${enc(serviceId)}/service-clients`,
      body: { items: ids.map((id) => ({ id })) },
      step: 'grant-access',
    });
  }
  async deleteServiceServiceClients(serviceId: string, ids: string[]) {
    await this.http.request({
      method: 'POST',
      path: `/services/${enc(serviceId)}/service-clients/delete`,
      body: { items: ids.map((id) => ({ id })) },
      step: 'revoke-access',
    });
  }

  // local groups
  getClientLocalGroups(clientId: string) {
    return this.get<T.LocalGroup[]>(`/clients/${enc(clientId)}/local-groups`, 'list-local-groups', SS.localGroups);
  }
  getLocalGroup(id: string) {
    return this.get<T.LocalGroup>(`/local-groups/${enc(id)}`, 'get-local-group', SS.localGroup);
  }
  async addLocalGroup(clientId: string, g: T.LocalGroupAdd) {
    return (
      await this.http.request<T.LocalGroup>({
        method: 'POST',
        path: `/clients/${enc(clientId)}/local-groups`,
        body: g,
        step: 'add-local-group',
        expect: expect(opt(SS.localGroup)),
      })
    ).body;
  }
  async updateLocalGroup(id: string, description: string) {
    await this.http.request({ method: 'PATCH', path: `/local-groups/${enc(id)}`, body: { description }, step: 'update-local-group' });
  }
  async addLocalGroupMembers(id: string, members: string[]) {
    await this.http.request({ method: 'POST', path: `/local-groups/${enc(id)}/members`, body: { items: members }, step: 'add-group-members' });
  }
  async deleteLocalGroupMembers(id: string, members: string[]) {
    await this.http.request({ method: 'POST', path: `/local-groups/${enc(id)}/members/delete`, body: { items: members }, step: 'remove-group-members' });
  }
  async deleteLocalGroup(id: string) {
    await this.http.request({ method: 'DELETE', path: `/local-groups/${enc(id)}`, step: 'delete-local-group' });
  }
}
