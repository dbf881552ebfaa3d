/**
 * The OpenAPI validator itself, with hand-written messages for a handful of SS and CS operations:
 * valid ones pass, each invalid one gets exactly the lines we expect.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertConforms,
  createOpenApiValidator,
  fromSandboxLog,
  openApiDir,
  requireOpenApiOrSkip,
  type OpenApiValidator,
  type RecordedExchange,
} from './openapi.js';

const oa = requireOpenApiOrSkip();

const AUTH = { Authorization: 'X-Road-ApiKey token=0f1e2d3c-aaaa-bbbb-cccc-1234567890ab' };
const HASH = 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344556677889900AABBCCDDEEFF';

function certificateDetails(over: Record<string, unknown> = {}) {
  return {
    issuer_distinguished_name: 'CN=Sandbox CA',
    issuer_common_name: 'Sandbox CA',
    subject_distinguished_name: 'C=FI, O=Gov, CN=1001',
    subject_common_name: '1001',
    not_before: '2026-01-01T00:00:00.000Z',
    not_after: '2027-01-01T00:00:00.000Z',
    serial: '4096',
    version: 3,
    signature_algorithm: 'SHA256withRSA',
    signature: '3082010a0282010100',
    public_key_algorithm: 'RSA',
    rsa_public_key_modulus: 'c0ffee',
    rsa_public_key_exponent: 65537,
    hash: HASH,
    key_usages: ['NON_REPUDIATION'],
    subject_alternative_names: 'DNS:ss1.example.org',
    ...over,
  };
}
function tokenCertificate(over: Record<string, unknown> = {}) {
  return {
    ocsp_status: 'OCSP_RESPONSE_GOOD',
    owner_id: 'DEV:GOV:1001',
    active: true,
    saved_to_configuration: true,
    certificate_details: certificateDetails(),
    status: 'REGISTERED',
    possible_actions: ['DISABLE'],
    ...over,
  };
}
function key(over: Record<string, unknown> = {}) {
  return {
    id: 'F00D',
    name: 'sign-1',
    label: 'sign-1',
    certificates: [tokenCertificate()],
    certificate_signing_requests: [{ id: 'C5R1', owner_id: 'DEV:GOV:1001', possible_actions: ['DELETE'] }],
    usage: 'SIGNING',
    available: true,
    saved_to_configuration: true,
    possible_actions: ['DELETE'],
    key_algorithm: 'RSA',
    ...over,
  };
}
function token(over: Record<string, unknown> = {}) {
  return {
    id: '0',
    name: 'softToken-0',
    type: 'SOFTWARE',
    keys: [key()],
    status: 'OK',
    logged_in: true,
    available: true,
    saved_to_configuration: true,
    read_only: false,
    possible_actions: ['LOGOUT'],
    ...over,
  };
}
const ssId = { instance_id: 'DEV', type: 'SERVER', member_class: 'GOV', member_code: '1001', server_code: 'SS1', encoded_id: 'DEV:GOV:1001:SS1' };
function listView(over: Record<string, unknown> = {}) {
  return {
    id: 7,
    type: 'AUTH_CERT_REGISTRATION_REQUEST',
    origin: 'SECURITY_SERVER',
    security_server_owner: 'Gov 1001',
    security_server_id: ssId,
    status: 'WAITING',
    created_at: '2026-11-23T02:00:00Z',
    ...over,
  };
}
function approved(over: Record<string, unknown> = {}) {
  return {
    id: 7,
    type: 'AUTH_CERT_REGISTRATION_REQUEST',
    origin: 'SECURITY_SERVER',
    security_server_id: 'DEV:GOV:1001:SS1',
    status: 'APPROVED',
    created_at: '2026-11-23T02:00:00Z',
    server_address: 'ss1.example.org',
    authentication_certificate: 'MIIB',
    ...over,
  };
}

describe.skipIf(oa.skip)('OpenAPI validator', () => {
  let v: OpenApiValidator;
  beforeAll(async () => {
    v = await createOpenApiValidator();
  });

  it('is shared per folder and compiles every schema of both APIs (no untranslated OpenAPI keyword)', async () => {
    expect(await createOpenApiValidator()).toBe(v);
    const t0 = performance.now();
    const n = v.compileAll();
    expect(n).toBeGreaterThan(300);
    expect(v.operationIds('ss')).toContain('addKeyAndCsr');
    expect(v.operationIds('cs')).toContain('approveManagementRequest');
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  describe('findOperation', () => {
    it('matches templates under the /api/v1 server prefix, decodes parameters, ignores the query', () => {
      expect(v.findOperation('ss', 'GET', '/api/v1/tokens')).toEqual({ operationId: 'getTokens', template: '/tokens', params: {} });
      expect(v.findOperation('ss', 'post', '/api/v1/tokens/0/keys-with-csrs')).toEqual({
        operationId: 'addKeyAndCsr',
        template: '/tokens/{id}/keys-with-csrs',
        params: { id: '0' },
      });
      expect(v.findOperation('ss', 'PUT', `/api/v1/token-certificates/${HASH}/register`)).toMatchObject({
        operationId: 'registerCertificate',
        params: { hash: HASH },
      });
      expect(v.findOperation('ss', 'GET', '/api/v1/clients/DEV%3AGOV%3A1001%3APERSONS')).toMatchObject({
        operationId: 'getClient',
        params: { id: 'DEV:GOV:1001:PERSONS' },
      });
      expect(v.findOperation('cs', 'GET', '/api/v1/management-requests?status=WAITING')).toMatchObject({
        operationId: 'findManagementRequests',
        template: '/management-requests',
      });
      expect(v.findOperation('cs', 'POST', '/api/v1/management-requests/7/approval')).toEqual({
        operationId: 'approveManagementRequest',
        template: '/management-requests/{management_request_id}/approval',
        params: { management_request_id: '7' },
      });
    });
    it('prefers literal segments over parameters', () => {
      // /clients/{id} would also match /clients/search-like paths if they existed; /tokens/{id}/keys vs keys-with-csrs
      expect(v.findOperation('ss', 'POST', '/api/v1/tokens/0/keys')?.operationId).toBe('addKey');
      expect(v.findOperation('cs', 'GET', '/api/v1/global-groups/G1/members/filter-model')?.operationId).toBe('getGroupMembersFilterModel');
    });
    it('is undefined without the prefix, for unknown paths and for a method the path does not have', () => {
      expect(v.findOperation('ss', 'GET', '/tokens')).toBeUndefined();
      expect(v.findOperation('ss', 'GET', '/api/v1/nope')).toBeUndefined();
      expect(v.findOperation('ss', 'DELETE', '/api/v1/tokens')).toBeUndefined();
      expect(v.findOperation('ss', 'GET', '/api/v1/tokens/')).toBeUndefined();
    });
  });

  describe('requests', () => {
    const addKey = (body: unknown, path = '/api/v1/tokens/0/keys-with-csrs') =>
      v.validateRequest({ api: 'ss', method: 'POST', path, headers: AUTH, body, contentType: 'application/json' });
    const good = {
      key_label: 'auth-2026',
      csr_generate_request: {
        key_usage_type: 'AUTHENTICATION',
        ca_name: 'Sandbox CA',
        csr_format: 'PEM',
        subject_field_values: { C: 'FI', O: 'Gov', serialNumber: 'DEV/SS1/GOV', CN: 'ss1' },
      },
    };

    it('getTokens: a plain GET with the API key passes; a wrong or missing Authorization header does not', () => {
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens', headers: AUTH })).toEqual([]);
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens', headers: { authorization: 'Bearer abc' } })).toEqual([
        'ss getTokens request header Authorization: must be "X-Road-ApiKey token=<key>" (got "Bearer abc")',
      ]);
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens', headers: {} })).toEqual([
        'ss getTokens request header Authorization: required (X-Road-ApiKey token=<key>) but missing',
      ]);
      // no headers given: not checked
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens' })).toEqual([]);
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens?x=1' })).toEqual([
        'ss getTokens request query parameter x: not declared (the operation takes none)',
      ]);
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens', body: { a: 1 } })).toEqual([
        'ss getTokens request body: the operation takes no request body but one was sent ({"a":1})',
      ]);
    });

    it('unknown operations are one precise line', () => {
      expect(v.validateRequest({ api: 'ss', method: 'DELETE', path: '/api/v1/tokens' })).toEqual([
        'ss DELETE /api/v1/tokens: the spec has no DELETE on /tokens (only GET)',
      ]);
      expect(v.validateRequest({ api: 'ss', method: 'GET', path: '/tokens' })).toEqual(['ss GET /tokens: not under the API base path /api/v1']);
      expect(v.validateRequest({ api: 'cs', method: 'GET', path: '/api/v1/api-keys' })).toEqual([
        'cs GET /api/v1/api-keys: no operation in central-server-admin-api.yaml matches this path',
      ]);
    });

    it('addKeyAndCsr: body by schema (required, enum, type, length), path parameter length', () => {
      expect(addKey(good)).toEqual([]);
      expect(addKey({ key_label: 'k', csr_generate_request: { key_usage_type: 'AUTH', ca_name: '', csr_format: 'PEM' } })).toEqual([
        'ss addKeyAndCsr request body.csr_generate_request.subject_field_values: required but missing',
        'ss addKeyAndCsr request body.csr_generate_request.key_usage_type: must be one of AUTHENTICATION, SIGNING (got "AUTH")',
        'ss addKeyAndCsr request body.csr_generate_request.ca_name: must NOT have fewer than 1 characters (got "")',
      ]);
      expect(addKey({ key_label: 5, csr_generate_request: { ...good.csr_generate_request, subject_field_values: { C: 1 }, acme_order: 'yes' } })).toEqual([
        'ss addKeyAndCsr request body.key_label: must be string (got number 5)',
        'ss addKeyAndCsr request body.csr_generate_request.subject_field_values.C: must be string (got number 1)',
        'ss addKeyAndCsr request body.csr_generate_request.acme_order: must be boolean (got string "yes")',
      ]);
      expect(addKey(good, '/api/v1/tokens//keys-with-csrs')).toEqual([
        'ss POST /api/v1/tokens//keys-with-csrs: no operation in security-server-admin-api.yaml matches this path',
      ]);
      expect(addKey(good, '/api/v1/tokens/%20/keys-with-csrs')).toEqual([]);
      expect(v.validateRequest({ api: 'ss', method: 'POST', path: '/api/v1/tokens/0/keys-with-csrs', body: good, contentType: 'text/plain' })).toEqual([
        'ss addKeyAndCsr request content-type text/plain: not accepted (the spec takes application/json)',
      ]);
      // a JSON body given as bytes is parsed
      expect(
        v.validateRequest({
          api: 'ss',
          method: 'POST',
          path: '/api/v1/tokens/0/keys-with-csrs',
          body: Buffer.from(JSON.stringify(good)),
          contentType: 'application/json; charset=utf-8',
        }),
      ).toEqual([]);
      expect(
        v.validateRequest({
          api: 'ss',
          method: 'POST',
          path: '/api/v1/tokens/0/keys-with-csrs',
          body: Buffer.from('{"key_label":'),
          contentType: 'application/json',
        }),
      ).toEqual(['ss addKeyAndCsr request body: not valid JSON (<13 bytes>)']);
    });

    it('importCertificate: octet-stream, present is enough; JSON is refused', () => {
      expect(
        v.validateRequest({
          api: 'ss',
          method: 'POST',
          path: '/api/v1/token-certificates',
          body: Buffer.from([0x30, 0x82, 0x01]),
          contentType: 'application/octet-stream',
        }),
      ).toEqual([]);
      expect(
        v.validateRequest({ api: 'ss', method: 'POST', path: '/api/v1/token-certificates', body: { cert: 'x' }, contentType: 'application/json' }),
      ).toEqual(['ss importCertificate request content-type application/json: not accepted (the spec takes application/octet-stream)']);
    });

    it('registerCertificate: hash path pattern and SecurityServerAddress body', () => {
      const reg = (hash: string, body: unknown) => v.validateRequest({ api: 'ss', method: 'PUT', path: `/api/v1/token-certificates/${hash}/register`, body });
      expect(reg(HASH, { address: 'ss1.example.org' })).toEqual([]);
      expect(reg('zz' + HASH.slice(2), { address: '' })).toEqual([
        `ss registerCertificate request path parameter hash: must match pattern "^[a-fA-F0-9]+" (got "zz${HASH.slice(2, 56)}...)`,
        'ss registerCertificate request body.address: must NOT have fewer than 1 characters (got "")',
      ]);
      expect(reg(HASH + HASH, {})).toEqual([
        `ss registerCertificate request path parameter hash: must NOT have more than 64 characters (got "${(HASH + HASH).slice(0, 56)}...)`,
        'ss registerCertificate request body.address: required but missing',
      ]);
    });

    it('findManagementRequests: exploded object query parameters (filter, paging_sorting) with types, enums and arrays', () => {
      const find = (q: string) => v.validateRequest({ api: 'cs', method: 'GET', path: `/api/v1/management-requests${q}`, headers: AUTH });
      expect(find('')).toEqual([]);
      expect(
        find(
          '?status=WAITING&origin=SECURITY_SERVER&types=AUTH_CERT_REGISTRATION_REQUEST&types=CLIENT_REGISTRATION_REQUEST&server_id=DEV:GOV:1001:SS1&sort=id&desc=true&limit=50&offset=0&query=ss1',
        ),
      ).toEqual([]);
      expect(find('?status=SUBMITTED+FOR+APPROVAL')).toEqual([]);
      expect(find('?status=PENDING&types=NOPE&limit=ten&desc=maybe&sort=x&page=2')).toEqual([
        'cs findManagementRequests request query parameter status (of filter): must be one of WAITING, APPROVED, DECLINED, REVOKED, SUBMITTED FOR APPROVAL (got "PENDING")',
        'cs findManagementRequests request query parameter types (of filter)[0]: must be one of AUTH_CERT_REGISTRATION_REQUEST, CLIENT_REGISTRATION_REQUEST, OWNER_CHANGE_REQUEST, CLIENT_DELETION_REQUEST, CLIENT_DISABLE_REQUEST, CLIENT_ENABLE_REQUEST, CLIENT_RENAME_REQUEST, AUTH_CERT_DELETION_REQUEST, ADDRESS_CHANGE_REQUEST, MAINTENANCE_MODE_ENABLE_REQUEST, MAINTENANCE_MODE_DISABLE_REQUEST (got "NOPE")',
        'cs findManagementRequests request query parameter limit (of paging_sorting): must be integer (got string "ten")',
        'cs findManagementRequests request query parameter desc (of paging_sorting): must be boolean (got string "maybe")',
        'cs findManagementRequests request query parameter sort (of paging_sorting): must NOT have fewer than 2 characters (got "x")',
        'cs findManagementRequests request query parameter page: not declared (declared: query, origin, types, status, server_id, sort, desc, limit, offset)',
      ]);
      expect(find('?status=WAITING&status=APPROVED')).toEqual([
        'cs findManagementRequests request query parameter status (of filter): given 2 times but is not an array',
      ]);
    });

    it('required query parameters and integer path parameters', () => {
      // getCertificationServiceCsr? no: key_usage_type on csr-subject-fields is required
      const fields = (q: string) =>
        v.validateRequest({ api: 'ss', method: 'GET', path: `/api/v1/certificate-authorities/Sandbox%20CA/csr-subject-fields${q}` });
      expect(fields('?key_usage_type=SIGNING&member_id=DEV:GOV:1001')).toEqual([]);
      expect(fields('')).toEqual(['ss getSubjectFieldDescriptions request query parameter key_usage_type: required but missing']);
      expect(v.validateRequest({ api: 'cs', method: 'POST', path: '/api/v1/management-requests/seven/approval' })).toEqual([
        'cs approveManagementRequest request path parameter management_request_id: must be integer (got string "seven")',
      ]);
      expect(v.validateRequest({ api: 'cs', method: 'POST', path: '/api/v1/management-requests/7/approval', headers: AUTH })).toEqual([]);
    });

    it('readOnly properties are not required in requests (but are in responses)', () => {
      // RegisterServiceProviderRequest requires security_server_id, which is readOnly
      expect(v.validateRequest({ api: 'cs', method: 'POST', path: '/api/v1/management-services-configuration/register-provider', body: {} })).toEqual([]);
      expect(
        v.validateRequest({ api: 'cs', method: 'POST', path: '/api/v1/management-services-configuration/register-provider', body: { security_server_id: 5 } }),
      ).toEqual(['cs registerServiceProvider request body.security_server_id: must be string (got number 5)']);
    });

    it('CS addManagementRequest: the discriminator picks the subtype schema by type', () => {
      const add = (body: unknown) => v.validateRequest({ api: 'cs', method: 'POST', path: '/api/v1/management-requests', body });
      expect(
        add({
          type: 'AUTH_CERT_REGISTRATION_REQUEST',
          origin: 'CENTER',
          security_server_id: 'DEV:GOV:1001:SS1',
          server_address: 'ss1',
          authentication_certificate: 'MIIB',
        }),
      ).toEqual([]);
      expect(add({ type: 'AUTH_CERT_REGISTRATION_REQUEST', origin: 'CENTER', security_server_id: 'DEV:GOV:1001:SS1' })).toEqual([
        'cs addManagementRequest request body.server_address: required but missing',
        'cs addManagementRequest request body.authentication_certificate: required but missing',
      ]);
      expect(add({ type: 'CLIENT_REGISTRATION_REQUEST', origin: 'CENTER', security_server_id: 'DEV:GOV:1001:SS1', client_id: 'DEV:GOV:1001:X' })).toEqual([]);
      expect(add({ type: 'FOO', origin: 'EVERYWHERE' })).toEqual([
        'cs addManagementRequest request body.security_server_id: required but missing',
        'cs addManagementRequest request body.type: must be one of AUTH_CERT_REGISTRATION_REQUEST, CLIENT_REGISTRATION_REQUEST, OWNER_CHANGE_REQUEST, CLIENT_DELETION_REQUEST, CLIENT_DISABLE_REQUEST, CLIENT_ENABLE_REQUEST, CLIENT_RENAME_REQUEST, AUTH_CERT_DELETION_REQUEST, ADDRESS_CHANGE_REQUEST, MAINTENANCE_MODE_ENABLE_REQUEST, MAINTENANCE_MODE_DISABLE_REQUEST (got "FOO")',
        'cs addManagementRequest request body.origin: must be one of CENTER, SECURITY_SERVER (got "EVERYWHERE")',
      ]);
    });
  });

  describe('responses', () => {
    const tokens = (status: number, body: unknown, contentType?: string) =>
      v.validateResponse({ api: 'ss', method: 'GET', path: '/api/v1/tokens', status, body, contentType });

    it('getTokens: a full token list passes; readOnly fields are required in responses; nested errors have exact paths', () => {
      expect(
        tokens(200, [token(), token({ id: '1', name: 'hsm', type: 'HARDWARE', keys: [], serial_number: 'abc', token_infos: [{ key: 'a', value: 'b' }] })]),
      ).toEqual([]);
      const { id: _id, ...noId } = token();
      expect(tokens(200, [noId])).toEqual(['ss getTokens 200 response body[0].id: required but missing']);
      const bad = token({
        status: 'BROKEN',
        logged_in: 'yes',
        keys: [
          key({
            usage: 'BOTH',
            certificates: [
              tokenCertificate({
                ocsp_status: undefined,
                certificate_details: certificateDetails({ not_after: '2027-01-01', key_usages: ['NON_REPUDIATION', 'NON_REPUDIATION'] }),
              }),
            ],
          }),
        ],
      });
      expect(tokens(200, [bad])).toEqual([
        'ss getTokens 200 response body[0].keys[0].certificates[0].ocsp_status: required but missing',
        'ss getTokens 200 response body[0].keys[0].certificates[0].certificate_details.not_after: must NOT have fewer than 24 characters (got "2027-01-01")',
        'ss getTokens 200 response body[0].keys[0].certificates[0].certificate_details.not_after: must be a valid date-time (got "2027-01-01")',
        'ss getTokens 200 response body[0].keys[0].certificates[0].certificate_details.key_usages: must NOT have duplicate items (items ## 0 and 1 are identical) (got ["NON_REPUDIATION","NON_REPUDIATION"])',
        'ss getTokens 200 response body[0].keys[0].usage: must be one of AUTHENTICATION, SIGNING (got "BOTH")',
        'ss getTokens 200 response body[0].status: must be one of OK, USER_PIN_LOCKED, USER_PIN_INCORRECT, USER_PIN_INVALID, USER_PIN_EXPIRED, USER_PIN_COUNT_LOW, USER_PIN_FINAL_TRY, NOT_INITIALIZED (got "BROKEN")',
        'ss getTokens 200 response body[0].logged_in: must be boolean (got string "yes")',
      ]);
      expect(tokens(200, { tokens: [] })).toEqual(['ss getTokens 200 response body: must be array (got object {"tokens":[]})']);
    });

    it('status must be declared; a declared JSON body must be there and JSON', () => {
      expect(tokens(201, [])).toEqual(['ss getTokens 201 response: status 201 is not declared for getTokens (declared: 200, 400, 401, 403, 404, 406, 500)']);
      expect(tokens(200, undefined)).toEqual(['ss getTokens 200 response body: the spec declares application/json for 200 but the body is empty']);
      expect(tokens(200, Buffer.from('<tokens/>'), 'application/xml')).toEqual([
        'ss getTokens 200 response content-type application/xml: not declared (declared: application/json)',
      ]);
      expect(tokens(200, Buffer.from('[]'), 'application/json')).toEqual([]);
      // a string is a parsed JSON value, not text to parse
      expect(tokens(200, '[]', 'application/json')).toEqual(['ss getTokens 200 response body: must be array (got string "[]")']);
      expect(
        v.validateResponse({ api: 'ss', method: 'GET', path: '/api/v1/certificate-authorities/ocsp-prioritization-strategy', status: 200, body: 'NONE' }),
      ).toEqual([]);
    });

    it('error statuses: ErrorInfo whether the spec lists content or not, and its status matches', () => {
      expect(tokens(401, undefined)).toEqual([]);
      expect(tokens(403, { status: 403, error: { code: 'permission_denied' } })).toEqual([]);
      expect(tokens(403, { status: 403, error: { metadata: ['x'] } })).toEqual(['ss getTokens 403 response ErrorInfo body.error.code: required but missing']);
      expect(tokens(404, { status: 400, error: { code: 'x' } })).toEqual([
        'ss getTokens 404 response body.status: ErrorInfo says 400 but the HTTP status is 404',
      ]);
      expect(tokens(500, { message: 'boom' })).toEqual(['ss getTokens 500 response ErrorInfo body.status: required but missing']);
      expect(tokens(500, 'boom', 'text/plain')).toEqual([
        'ss getTokens 500 response content-type text/plain: an error answer carries ErrorInfo as application/json',
      ]);
      // declared with content (addKeyAndCsr 400 → ErrorInfo)
      const r400 = (body: unknown) => v.validateResponse({ api: 'ss', method: 'POST', path: '/api/v1/tokens/0/keys-with-csrs', status: 400, body });
      expect(
        r400({ status: 400, error: { code: 'token_weak_pin', metadata: ['pin_min_length', '10'], validation_errors: { 'a.b': ['NoPercent'] } }, warnings: [] }),
      ).toEqual([]);
      expect(r400({ status: 400, error: { code: 'x', validation_errors: { 'a.b': 'NoPercent' } } })).toEqual([
        'ss addKeyAndCsr 400 response body.error.validation_errors["a.b"]: must be array (got string "NoPercent")',
      ]);
    });

    it('addKeyAndCsr 201, and the real server’s 200 is not what the spec says', () => {
      const body = { key: key({ certificates: [] }), csr_id: 'C5R1' };
      const r = (status: number, b: unknown) => v.validateResponse({ api: 'ss', method: 'POST', path: '/api/v1/tokens/0/keys-with-csrs', status, body: b });
      expect(r(201, body)).toEqual([]);
      expect(r(200, body)).toEqual([
        'ss addKeyAndCsr 200 response: status 200 is not declared for addKeyAndCsr (declared: 201, 400, 401, 403, 404, 406, 409, 500)',
      ]);
      expect(r(201, { key: { ...key(), key_algorithm: 'DSA' } })).toEqual([
        'ss addKeyAndCsr 201 response body.csr_id: required but missing',
        'ss addKeyAndCsr 201 response body.key.key_algorithm: must be one of RSA, EC (got "DSA")',
      ]);
    });

    it('importCertificate 201 TokenCertificate; registerCertificate 200 with no body (204 undeclared, a body refused)', () => {
      const imp = (status: number, body: unknown) => v.validateResponse({ api: 'ss', method: 'POST', path: '/api/v1/token-certificates', status, body });
      expect(imp(201, tokenCertificate({ status: 'SAVED', ocsp_status: 'DISABLED', active: false }))).toEqual([]);
      expect(imp(201, tokenCertificate({ status: 'NEW', certificate_details: certificateDetails({ rsa_public_key_exponent: 'AQAB' }) }))).toEqual([
        'ss importCertificate 201 response body.certificate_details.rsa_public_key_exponent: must be integer (got string "AQAB")',
        'ss importCertificate 201 response body.status: must be one of SAVED, REGISTRATION_IN_PROGRESS, REGISTERED, DELETION_IN_PROGRESS, GLOBAL_ERROR (got "NEW")',
      ]);
      const reg = (status: number, body?: unknown) =>
        v.validateResponse({ api: 'ss', method: 'PUT', path: `/api/v1/token-certificates/${HASH}/register`, status, body });
      expect(reg(200)).toEqual([]);
      expect(reg(204)).toEqual([
        'ss registerCertificate 204 response: status 204 is not declared for registerCertificate (declared: 200, 400, 401, 403, 404, 406, 500)',
      ]);
      expect(reg(200, { ok: true })).toEqual(['ss registerCertificate 200 response body: the spec declares no body for 200 but one was sent ({"ok":true})']);
      expect(reg(400, { status: 400, error: { code: 'action_not_possible' } })).toEqual([]);
      expect(reg(409, { status: 409, error: { code: 'action_not_possible' } })).toEqual([
        'ss registerCertificate 409 response: status 409 is not declared for registerCertificate (declared: 200, 400, 401, 403, 404, 406, 500)',
      ]);
    });

    it('CS approveManagementRequest: ManagementRequest polymorphic by type (discriminator)', () => {
      const r = (status: number, body: unknown) =>
        v.validateResponse({ api: 'cs', method: 'POST', path: '/api/v1/management-requests/7/approval', status, body });
      expect(r(200, approved())).toEqual([]);
      expect(r(200, approved({ authentication_certificate: undefined, status: 'DONE', created_at: 'yesterday' }))).toEqual([
        'cs approveManagementRequest 200 response body.created_at: must be a valid date-time (got "yesterday")',
        'cs approveManagementRequest 200 response body.status: must be one of WAITING, APPROVED, DECLINED, REVOKED, SUBMITTED FOR APPROVAL (got "DONE")',
        'cs approveManagementRequest 200 response body.authentication_certificate: required but missing',
      ]);
      // another subtype: client registration has its own required fields
      const client = {
        id: 8,
        type: 'CLIENT_REGISTRATION_REQUEST',
        origin: 'SECURITY_SERVER',
        security_server_id: 'DEV:GOV:1001:SS1',
        status: 'APPROVED',
        client_id: 'DEV:GOV:1001:X',
      };
      expect(r(200, client)).toEqual([]);
      expect(r(200, { ...client, client_id: { member_class: 'GOV' } })).toEqual([
        'cs approveManagementRequest 200 response body.client_id: must be string (got object {"member_class":"GOV"})',
      ]);
      expect(r(409, { status: 409, error: { code: 'management_request_invalid_state_for_approval' } })).toEqual([]);
      // the real server's 400 for a wrong state is declared too
      expect(r(400, { status: 400, error: { code: 'management_request_invalid_state_for_approval' } })).toEqual([]);
    });

    it('CS findManagementRequests: paged list; SecurityServerId/ClientId via allOf with a discriminated base', () => {
      const r = (body: unknown) => v.validateResponse({ api: 'cs', method: 'GET', path: '/api/v1/management-requests?status=WAITING', status: 200, body });
      const page = (items: unknown[]) => ({ items, paging_metadata: { total_items: items.length, items: items.length, limit: 25, offset: 0 } });
      const withClient = listView({
        id: 8,
        type: 'CLIENT_REGISTRATION_REQUEST',
        client_id: { instance_id: 'DEV', type: 'SUBSYSTEM', member_class: 'GOV', member_code: '1001', subsystem_code: 'X', encoded_id: 'DEV:GOV:1001:X' },
        client_owner_name: 'Gov',
        client_subsystem_name: 'X',
      });
      expect(r(page([listView(), withClient]))).toEqual([]);
      const { instance_id: _i, ...noInstance } = ssId;
      expect(
        r({
          items: [
            listView({ security_server_id: { ...noInstance, server_code: '' } }),
            listView({ client_id: { instance_id: 'DEV', type: 'MEMBER', member_class: 'GOV' }, security_server_id: 'DEV:GOV:1001:SS1' }),
          ],
          paging_metadata: { total_items: '2' },
        }),
      ).toEqual([
        'cs findManagementRequests 200 response body.items[0].security_server_id.instance_id: required but missing',
        'cs findManagementRequests 200 response body.items[0].security_server_id.server_code: must NOT have fewer than 1 characters (got "")',
        'cs findManagementRequests 200 response body.items[1].security_server_id: must be object (got string "DEV:GOV:1001:SS1")',
        'cs findManagementRequests 200 response body.items[1].client_id.member_code: required but missing',
        'cs findManagementRequests 200 response body.paging_metadata.items: required but missing',
        'cs findManagementRequests 200 response body.paging_metadata.limit: required but missing',
        'cs findManagementRequests 200 response body.paging_metadata.offset: required but missing',
        'cs findManagementRequests 200 response body.paging_metadata.total_items: must be integer (got string "2")',
      ]);
    });

    it('nullable: null is allowed where the spec says so and nowhere else', () => {
      const r = (body: unknown) => v.validateResponse({ api: 'cs', method: 'GET', path: '/api/v1/global-groups/G1/members/filter-model', status: 200, body });
      expect(r({ instances: null, member_classes: ['GOV'], codes: null, subsystems: [] })).toEqual([]);
      expect(r({ instances: 'DEV' })).toEqual(['cs getGroupMembersFilterModel 200 response body.instances: must be array or null (got string "DEV")']);
      expect(tokens(200, [token({ name: null })])).toEqual(['ss getTokens 200 response body[0].name: must be string (got null)']);
    });

    it('formats: X-Road ones are no-ops, url takes private addresses (OCSP responders live there), date-time is checked', () => {
      const cas = (url: string) =>
        v.validateResponse({
          api: 'ss',
          method: 'GET',
          path: '/api/v1/certificate-authorities',
          status: 200,
          body: [
            {
              name: 'Sandbox CA',
              subject_distinguished_name: 'CN=Sandbox CA',
              issuer_distinguished_name: 'CN=Sandbox CA',
              ocsp_response: 'OCSP_RESPONSE_GOOD',
              not_after: '2030-01-01T00:00:00.000Z',
              top_ca: true,
              path: 'CN=Sandbox CA',
              authentication_only: false,
              ocsp_responders: [{ url, has_certificate: false, cost_type: 'FREE' }],
            },
          ],
        });
      for (const ok of ['http://127.0.0.1:41273/sandbox-ca', 'http://10.0.0.5/ocsp', 'https://ocsp.example.org']) expect(cas(ok), ok).toEqual([]);
      expect(cas('ocsp.example.org')).toEqual([
        'ss getApprovedCertificateAuthorities 200 response body[0].ocsp_responders[0].url: must be a valid url (got "ocsp.example.org")',
      ]);
    });

    it('binary answers: content type checked, bytes not', () => {
      // downloadCsr: the spec says 201 (the real server answers 200, xroad-flows §0.1)
      const dl = (ct: string, status = 201) =>
        v.validateResponse({
          api: 'ss',
          method: 'GET',
          path: '/api/v1/keys/F00D/csrs/C5R1?csr_format=PEM',
          status,
          body: Buffer.from('-----BEGIN'),
          contentType: ct,
        });
      expect(dl('application/octet-stream')).toEqual([]);
      expect(dl('application/json')).toEqual(['ss downloadCsr 201 response body: not valid JSON (<10 bytes>)']);
      // a file (string, format binary) served as application/json: whatever JSON it holds
      expect(
        v.validateResponse({
          api: 'ss',
          method: 'GET',
          path: '/api/v1/diagnostics/info/download',
          status: 200,
          body: Buffer.from('{"server":"DEV:GOV:1001:SS1"}'),
          contentType: 'application/json',
        }),
      ).toEqual([]);
      expect(dl('application/octet-stream', 200)).toEqual([
        'ss downloadCsr 200 response: status 200 is not declared for downloadCsr (declared: 201, 400, 401, 403, 404, 406, 500)',
      ]);
    });
  });

  describe('assertConforms', () => {
    const ok: RecordedExchange = {
      api: 'ss',
      method: 'GET',
      path: '/api/v1/tokens',
      status: 200,
      responseBody: [token()],
      responseContentType: 'application/json',
    };
    it('returns what was covered when all conform', () => {
      const approve: RecordedExchange = { api: 'cs', method: 'POST', path: '/api/v1/management-requests/7/approval', status: 200, responseBody: approved() };
      expect(assertConforms(v, [ok, ok, approve])).toEqual({ checked: 3, operations: ['cs approveManagementRequest', 'ss getTokens'] });
    });
    it('throws one error listing every violation of every exchange', () => {
      const xs: RecordedExchange[] = [
        ok,
        {
          api: 'ss',
          method: 'POST',
          path: '/api/v1/tokens/0/keys-with-csrs',
          requestBody: { key_label: 'k' },
          requestContentType: 'application/json',
          status: 200,
          responseBody: { csr_id: 'x' },
        },
        { api: 'ss', method: 'GET', path: '/api/v1/nope', status: 404 },
        { api: 'ss', method: 'GET', path: '/api/v1/tokens', requestHeaders: { authorization: 'token=abc' }, status: 200, responseBody: [token()] },
      ];
      expect(() => assertConforms(v, xs)).toThrow(
        [
          '3 of 4 exchanges do not conform to the X-Road OpenAPI files:',
          '#2 ss POST /api/v1/tokens/0/keys-with-csrs → 200 (addKeyAndCsr)',
          '    - ss addKeyAndCsr request body.csr_generate_request: required but missing',
          '    - ss addKeyAndCsr 200 response: status 200 is not declared for addKeyAndCsr (declared: 201, 400, 401, 403, 404, 406, 409, 500)',
          '#3 ss GET /api/v1/nope → 404',
          '    - ss GET /api/v1/nope: no operation in security-server-admin-api.yaml matches this path',
          '#4 ss GET /api/v1/tokens → 200 (getTokens)',
          '    - ss getTokens request header Authorization: must be "X-Road-ApiKey token=<key>" (got "token=…")',
        ].join('\n'),
      );
    });
    it('requests: false / responses: false check one side only (an unknown operation is always reported)', () => {
      const bad: RecordedExchange = {
        api: 'ss',
        method: 'POST',
        path: '/api/v1/tokens/0/keys-with-csrs',
        requestBody: { key_label: 7 },
        status: 400,
        responseBody: { status: 400, error: { code: 'invalid_request' } },
      };
      expect(assertConforms(v, [bad], { requests: false }).checked).toBe(1);
      expect(() => assertConforms(v, [bad], { responses: false })).toThrow('body.key_label: must be string (got number 7)');
      expect(() => assertConforms(v, [{ ...bad, status: 418 }], { requests: false })).toThrow('status 418 is not declared');
      expect(() => assertConforms(v, [{ ...bad, path: '/api/v1/x' }], { requests: false })).toThrow('no operation in security-server-admin-api.yaml matches');
    });
    it('fromSandboxLog: server, query and base64 raw answers', () => {
      const x = fromSandboxLog({
        server: 'ss1',
        method: 'GET',
        path: '/api/v1/keys/F00D/csrs/C5R1',
        query: '?csr_format=DER',
        status: 201,
        responseBody: Buffer.from([1, 2]).toString('base64'),
        responseContentType: 'application/octet-stream',
      });
      expect(x).toMatchObject({ api: 'ss', path: '/api/v1/keys/F00D/csrs/C5R1?csr_format=DER', responseBody: Buffer.from([1, 2]) });
      expect(fromSandboxLog({ server: 'cs', method: 'GET', path: '/api/v1/management-requests', status: 200 }).api).toBe('cs');
      // JSON answers are kept parsed; a raw JSON file download is base64 like any raw answer
      expect(
        fromSandboxLog({ server: 'ss1', method: 'GET', path: '/x', status: 200, responseBody: 'NONE', responseContentType: 'application/json' }).responseBody,
      ).toBe('NONE');
      expect(
        fromSandboxLog({
          server: 'ss1',
          method: 'GET',
          path: '/x',
          status: 200,
          responseBody: Buffer.from('{"a":1}').toString('base64'),
          responseContentType: 'application/json',
        }).responseBody,
      ).toEqual(Buffer.from('{"a":1}'));
      expect(assertConforms(v, [x]).operations).toEqual(['ss downloadCsr']);
    });
  });

  it('validates 20 000 messages in well under a second per thousand', () => {
    const body = [token(), token({ id: '1' })];
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      v.validateRequest({ api: 'ss', method: 'GET', path: '/api/v1/tokens', headers: AUTH });
      v.validateResponse({ api: 'ss', method: 'GET', path: '/api/v1/tokens', status: 200, body });
    }
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('where the OpenAPI files are', () => {
  it('XRD_OPENAPI_DIR overrides the folder; an absent folder is undefined; CI turns the skip into a failure', async () => {
    const saved = { dir: process.env.XRD_OPENAPI_DIR, ci: process.env.CI };
    const empty = mkdtempSync(join(tmpdir(), 'xrd-oa-'));
    try {
      process.env.XRD_OPENAPI_DIR = empty;
      expect(openApiDir()).toBeUndefined();
      delete process.env.CI;
      expect(requireOpenApiOrSkip()).toMatchObject({ skip: true, reason: expect.stringContaining(empty) });
      process.env.CI = '1';
      expect(() => requireOpenApiOrSkip()).toThrow(/OpenAPI conformance cannot run: .*CI is set, so this fails instead of skipping/);
      await expect(createOpenApiValidator()).rejects.toThrow(/OpenAPI files are not in/);
      writeFileSync(join(empty, 'security-server-admin-api.yaml'), 'openapi: 3.0.0\npaths: {}\n');
      writeFileSync(join(empty, 'central-server-admin-api.yaml'), 'openapi: 3.0.0\npaths: {}\n');
      expect(openApiDir()).toBe(empty);
      const tiny = await createOpenApiValidator({ dir: empty });
      expect(tiny.validateRequest({ api: 'ss', method: 'GET', path: '/tokens' })).toEqual([
        'ss GET /tokens: no operation in security-server-admin-api.yaml matches this path',
      ]);
    } finally {
      if (saved.dir === undefined) delete process.env.XRD_OPENAPI_DIR;
      else process.env.XRD_OPENAPI_DIR = saved.dir;
      if (saved.ci === undefined) delete process.env.CI;
      else process.env.CI = saved.ci;
    }
  });
});
