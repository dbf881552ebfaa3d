/**
 * The one table of where a real X-Road 7.8 server answers differently from its OpenAPI files
 * (../shared/reference/xroad-flows.md §0.1, checked against X-Road's controllers).
 *
 * Route handlers answer the spec; by default the listener then applies these deviations (status only, the body
 * follows the real status: none for 204). With `strictSpec` (`xrdctl sandbox start --strict-spec`) nothing is
 * applied and the sandbox answers exactly the spec. docs/sandbox.md's table is generated from this one
 * (`npm run docs:sandbox`); a test fails when it is stale, and the conformance tests accept, in the default mode,
 * exactly these deviations and nothing else.
 */
export interface Deviation {
  api: 'ss' | 'cs';
  operationId: string;
  method: string;
  path: string;
  specStatus: number;
  realStatus: number;
  /** where the real behaviour shows (X-Road's code) */
  source: string;
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    api: 'ss',
    operationId: 'addKeyAndCsr',
    method: 'POST',
    path: '/tokens/{id}/keys-with-csrs',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; TokensApiController.addKeyAndCsr answers ResponseEntity.ok',
  },
  {
    api: 'ss',
    operationId: 'generateCsr',
    method: 'POST',
    path: '/keys/{id}/csrs',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; KeysApiController.generateCsr answers 200 with the CSR bytes',
  },
  {
    api: 'ss',
    operationId: 'downloadCsr',
    method: 'GET',
    path: '/keys/{id}/csrs/{csr_id}',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; KeysApiController.downloadCsr answers 200 with the file',
  },
  {
    api: 'ss',
    operationId: 'registerCertificate',
    method: 'PUT',
    path: '/token-certificates/{hash}/register',
    specStatus: 200,
    realStatus: 204,
    source: 'xroad-flows §0.1; TokenCertificatesApiController.registerCertificate answers noContent',
  },
  {
    api: 'ss',
    operationId: 'orderAcmeCertificate',
    method: 'POST',
    path: '/certificate-authorities/{ca_name}/acme-order',
    specStatus: 200,
    realStatus: 204,
    source: 'xroad-flows §0.1; CertificateAuthoritiesApiController.orderAcmeCertificate answers noContent',
  },
  {
    api: 'ss',
    operationId: 'enableServiceDescription',
    method: 'PUT',
    path: '/service-descriptions/{id}/enable',
    specStatus: 204,
    realStatus: 200,
    source: 'xroad-flows §0.1; ServiceDescriptionsApiController.enableServiceDescription answers 200, empty body',
  },
  {
    api: 'ss',
    operationId: 'disableServiceDescription',
    method: 'PUT',
    path: '/service-descriptions/{id}/disable',
    specStatus: 204,
    realStatus: 200,
    source: 'xroad-flows §0.1; ServiceDescriptionsApiController.disableServiceDescription answers 200, empty body',
  },
  {
    api: 'ss',
    operationId: 'addServiceServiceClients',
    method: 'POST',
    path: '/services/{id}/service-clients',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; ServicesApiController.addServiceServiceClients answers 200',
  },
  {
    api: 'ss',
    operationId: 'previewAnchor',
    method: 'POST',
    path: '/system/anchor/previews',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; SystemApiController.previewAnchor answers 200',
  },
  {
    api: 'ss',
    operationId: 'generateSystemCertificateRequest',
    method: 'POST',
    path: '/system/certificate/csr',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; SystemApiController.generateSystemCertificateRequest answers 200 with the CSR',
  },
  {
    api: 'cs',
    operationId: 'revokeManagementRequest',
    method: 'DELETE',
    path: '/management-requests/{management_request_id}',
    specStatus: 204,
    realStatus: 200,
    source: 'xroad-flows §0.1; ManagementRequestsApiController.revokeManagementRequest answers 200, empty body',
  },
  {
    api: 'cs',
    operationId: 'initCentralServer',
    method: 'POST',
    path: '/initialization',
    specStatus: 201,
    realStatus: 200,
    source: 'xroad-flows §0.1; InitializationApiController.initCentralServer answers 200',
  },
  {
    api: 'cs',
    operationId: 'addKey',
    method: 'POST',
    path: '/configuration-sources/{configuration_type}/signing-keys',
    specStatus: 201,
    realStatus: 200,
    source: 'issue 14 (a replay against a real 7.8 CS); ConfigurationSourcesApiController.addKey answers 200',
  },
];

/**
 * Required properties a real server leaves out while it has no value for them (both modes: the sandbox does not
 * invent one). The conformance tests accept exactly these omissions.
 */
export interface Omission {
  api: 'ss' | 'cs';
  operationIds: string[];
  property: string;
  when: string;
  source: string;
}
export const OMISSIONS: readonly Omission[] = [
  {
    api: 'cs',
    operationIds: ['getManagementServicesConfiguration', 'updateManagementServicesConfiguration'],
    property: 'security_server_id',
    when: 'no security server is registered as the management service provider yet',
    source: 'ManagementServicesConfiguration: the CS has no provider server until register-provider',
  },
  {
    api: 'cs',
    operationIds: ['getManagementServicesConfiguration', 'updateManagementServicesConfiguration'],
    property: 'service_provider_name',
    when: 'no service provider subsystem is set yet',
    source: 'ManagementServicesConfiguration: the name comes from the provider member',
  },
];

/** the real status for a spec status of an operation, or undefined when the real server follows the spec */
export function realStatus(api: 'ss' | 'cs', operationId: string, specStatus: number): number | undefined {
  return DEVIATIONS.find((d) => d.api === api && d.operationId === operationId && d.specStatus === specStatus)?.realStatus;
}

/** the Markdown tables docs/sandbox.md carries between its generated-table markers */
export function deviationsMarkdown(): string {
  const rows = DEVIATIONS.map(
    (d) => `| ${d.api.toUpperCase()} | \`${d.operationId}\` | \`${d.method} ${d.path}\` | ${d.specStatus} | **${d.realStatus}** | ${d.source} |`,
  );
  const om = OMISSIONS.map(
    (o) => `| ${o.api.toUpperCase()} | ${o.operationIds.map((x) => `\`${x}\``).join(', ')} | \`${o.property}\` | ${o.when} | ${o.source} |`,
  );
  return [
    '| API | operation | path | spec | real server (default mode) | source |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Required properties left out while the server has no value for them (both modes):',
    '',
    '| API | operations | property | when | source |',
    '|---|---|---|---|---|',
    ...om,
  ].join('\n');
}
