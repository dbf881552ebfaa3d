/**
 * Spec operations the sandbox does not model, each with why. They answer 501 with an ErrorInfo naming the
 * operation (not 404: the path exists on a real server). docs/sandbox.md lists them (generated from this table),
 * and the coverage test fails when a spec operation is neither modelled nor here.
 */
import { ApiError, type Route } from './http.js';

export interface NotModelled {
  api: 'ss' | 'cs';
  method: string;
  path: string;
  operationId: string;
  why: string;
}

const BACKUP_UPLOAD = 'uploading or externally created backup files: the sandbox restores only backups it made itself';
const GCONF_FILES = 'needs the signed globalconf directory of PR-GCONF; the sandbox distributes a model (issue 16)';
const ANCHORS = 'trusted anchors of federated instances: federation is not simulated';
const INTERMEDIATE = 'intermediate CAs: the sandbox chains end at the approved CA';
const MGMT_TLS = "the management service's TLS certificate: the sandbox has no management-service listener";

export const NOT_MODELLED: readonly NotModelled[] = [
  // ---------- Security Server ----------
  { api: 'ss', method: 'POST', path: '/backups/ext', operationId: 'addBackupExt', why: BACKUP_UPLOAD },
  { api: 'ss', method: 'POST', path: '/backups/upload', operationId: 'uploadBackup', why: BACKUP_UPLOAD },
  { api: 'ss', method: 'DELETE', path: '/clients/{id}/orphans', operationId: 'deleteOrphans', why: 'orphaned keys/CSRs of deleted clients are not tracked' },
  {
    api: 'ss',
    method: 'GET',
    path: '/diagnostics/operational-monitoring',
    operationId: 'getOperationalDataIntervals',
    why: 'operational monitoring needs the message proxy',
  },
  { api: 'ss', method: 'PUT', path: '/language/{code}', operationId: 'language', why: 'a UI language setting of a form-login session' },
  { api: 'ss', method: 'GET', path: '/openapi.yaml', operationId: 'downloadOpenApi', why: 'the sandbox does not ship the OpenAPI document' },
  { api: 'ss', method: 'PUT', path: '/mail/send-test-mail', operationId: 'sendTestMail', why: 'no mail is ever sent (no traffic off 127.0.0.1)' },
  { api: 'ss', method: 'DELETE', path: '/tokens/{id}', operationId: 'deleteToken', why: 'only the software token 0 exists; HSM tokens are not simulated' },
  // ---------- Central Server ----------
  { api: 'cs', method: 'GET', path: '/backups', operationId: 'getBackups', why: 'CS backups: the CS database is not modelled as a restorable unit' },
  { api: 'cs', method: 'POST', path: '/backups', operationId: 'addBackup', why: 'CS backups: the CS database is not modelled as a restorable unit' },
  { api: 'cs', method: 'POST', path: '/backups/upload', operationId: 'uploadBackup', why: 'CS backups: the CS database is not modelled as a restorable unit' },
  {
    api: 'cs',
    method: 'DELETE',
    path: '/backups/{filename}',
    operationId: 'deleteBackup',
    why: 'CS backups: the CS database is not modelled as a restorable unit',
  },
  {
    api: 'cs',
    method: 'GET',
    path: '/backups/{filename}/download',
    operationId: 'downloadBackup',
    why: 'CS backups: the CS database is not modelled as a restorable unit',
  },
  {
    api: 'cs',
    method: 'PUT',
    path: '/backups/{filename}/restore',
    operationId: 'restoreBackup',
    why: 'CS backups: the CS database is not modelled as a restorable unit',
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/certification-services/{certification_service_id}/intermediate-cas',
    operationId: 'addCertificationServiceIntermediateCa',
    why: INTERMEDIATE,
  },
  { api: 'cs', method: 'DELETE', path: '/intermediate-cas/{intermediate_ca_id}', operationId: 'deleteIntermediateCa', why: INTERMEDIATE },
  { api: 'cs', method: 'GET', path: '/intermediate-cas/{intermediate_ca_id}', operationId: 'getIntermediateCa', why: INTERMEDIATE },
  {
    api: 'cs',
    method: 'GET',
    path: '/intermediate-cas/{intermediate_ca_id}/ocsp-responders',
    operationId: 'getIntermediateCaOcspResponders',
    why: INTERMEDIATE,
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/intermediate-cas/{intermediate_ca_id}/ocsp-responders',
    operationId: 'addIntermediateCaOcspResponder',
    why: INTERMEDIATE,
  },
  {
    api: 'cs',
    method: 'DELETE',
    path: '/intermediate-cas/{intermediate_ca_id}/ocsp-responders/{ocsp_responder_id}',
    operationId: 'deleteIntermediateCaOcspResponder',
    why: INTERMEDIATE,
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/global-groups',
    operationId: 'addGlobalGroup',
    why: 'global groups other than security-server-owners: not yet modelled',
  },
  {
    api: 'cs',
    method: 'DELETE',
    path: '/global-groups/{group_code}',
    operationId: 'deleteGlobalGroup',
    why: 'global groups other than security-server-owners: not yet modelled',
  },
  {
    api: 'cs',
    method: 'PATCH',
    path: '/global-groups/{group_code}',
    operationId: 'updateGlobalGroupDescription',
    why: 'global groups other than security-server-owners: not yet modelled',
  },
  {
    api: 'cs',
    method: 'GET',
    path: '/global-groups/{group_code}/members/filter-model',
    operationId: 'getGroupMembersFilterModel',
    why: 'global group member management: not yet modelled',
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/global-groups/{group_code}/members/add',
    operationId: 'addGlobalGroupMembers',
    why: 'global group member management: not yet modelled',
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/global-groups/{group_code}/members',
    operationId: 'findGlobalGroupMembers',
    why: 'global group member management: not yet modelled',
  },
  {
    api: 'cs',
    method: 'DELETE',
    path: '/global-groups/{group_code}/members/{client_id}',
    operationId: 'deleteGlobalGroupMember',
    why: 'global group member management: not yet modelled',
  },
  {
    api: 'cs',
    method: 'POST',
    path: '/configuration-sources/{configuration_type}/configuration-parts',
    operationId: 'uploadConfigurationParts',
    why: GCONF_FILES,
  },
  {
    api: 'cs',
    method: 'GET',
    path: '/configuration-sources/{configuration_type}/configuration-parts/{content_identifier}/{version}/download',
    operationId: 'downloadConfigurationParts',
    why: GCONF_FILES,
  },
  { api: 'cs', method: 'GET', path: '/trusted-anchors', operationId: 'getTrustedAnchors', why: ANCHORS },
  { api: 'cs', method: 'POST', path: '/trusted-anchors', operationId: 'uploadTrustedAnchor', why: ANCHORS },
  { api: 'cs', method: 'POST', path: '/trusted-anchors/preview', operationId: 'previewTrustedAnchor', why: ANCHORS },
  { api: 'cs', method: 'DELETE', path: '/trusted-anchors/{hash}', operationId: 'deleteTrustedAnchor', why: ANCHORS },
  { api: 'cs', method: 'GET', path: '/trusted-anchors/{hash}/download', operationId: 'downloadTrustedAnchor', why: ANCHORS },
  { api: 'cs', method: 'DELETE', path: '/member-classes/{code}', operationId: 'deleteMemberClass', why: 'member-class edits after creation: not yet modelled' },
  { api: 'cs', method: 'PATCH', path: '/member-classes/{code}', operationId: 'updateMemberClass', why: 'member-class edits after creation: not yet modelled' },
  {
    api: 'cs',
    method: 'GET',
    path: '/ocsp-responders/{ocsp_responder_id}',
    operationId: 'getOcspResponder',
    why: 'single OCSP responder views: listed per CA only',
  },
  {
    api: 'cs',
    method: 'PATCH',
    path: '/ocsp-responders/{ocsp_responder_id}',
    operationId: 'updateOcspResponder',
    why: 'single OCSP responder edits: delete and add again',
  },
  {
    api: 'cs',
    method: 'GET',
    path: '/ocsp-responders/{ocsp_responder_id}/certificate',
    operationId: 'getOcspRespondersCertificate',
    why: 'single OCSP responder views: listed per CA only',
  },
  { api: 'cs', method: 'GET', path: '/management-services-configuration/download-certificate', operationId: 'downloadCertificate', why: MGMT_TLS },
  { api: 'cs', method: 'GET', path: '/management-services-configuration/certificate', operationId: 'getCertificate', why: MGMT_TLS },
  { api: 'cs', method: 'POST', path: '/management-services-configuration/certificate', operationId: 'generateKeyAndCertificate', why: MGMT_TLS },
  { api: 'cs', method: 'POST', path: '/management-services-configuration/generate-csr', operationId: 'generateCertificateRequest', why: MGMT_TLS },
  { api: 'cs', method: 'POST', path: '/management-services-configuration/upload-certificate', operationId: 'uploadCertificate', why: MGMT_TLS },
  {
    api: 'cs',
    method: 'PUT',
    path: '/system/server-address',
    operationId: 'updateCentralServerAddress',
    why: 'changing the CS address re-issues the anchor: issue 16',
  },
  {
    api: 'cs',
    method: 'PATCH',
    path: '/timestamping-services/{timestamping_service_id}',
    operationId: 'updateTimestampingService',
    why: 'TSA edits: delete and add again',
  },
  { api: 'cs', method: 'GET', path: '/openapi.yaml', operationId: 'downloadOpenApi', why: 'the sandbox does not ship the OpenAPI document' },
];

/** the 501 routes of one API (appended after the modelled ones, so a modelled operation always wins) */
export function notModelledRoutes(api: 'ss' | 'cs'): Route[] {
  return NOT_MODELLED.filter((n) => n.api === api).map((n) => ({
    method: n.method,
    path: n.path,
    op: n.operationId,
    roles: 'any' as const,
    notModelled: true,
    h: () => {
      throw new ApiError(501, 'not_modelled', [n.operationId, n.why]);
    },
  }));
}

/** the Markdown list docs/sandbox.md carries between its generated markers */
export function notModelledMarkdown(): string {
  const rows = NOT_MODELLED.map((n) => `| ${n.api.toUpperCase()} | \`${n.operationId}\` | \`${n.method} ${n.path}\` | ${n.why} |`);
  return ['| API | operation | path | why |', '|---|---|---|---|', ...rows].join('\n');
}
