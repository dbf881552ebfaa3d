import { DURATION_PATTERN } from '../model/duration.js';
/**
 * The manifest's JSON Schema: the source of truth for what a manifest may say. Published as
 * schema/manifest.schema.json (a test keeps that file equal to this) so editors with the YAML
 * language server complete and check manifests.
 * `x-expand: true` marks the only strings where ${VAR} is expanded from the environment.
 */
type S = Record<string, unknown>;

const str = (description: string, extra: S = {}): S => ({ type: 'string', description, ...extra });
const ID_MEMBER = '^[^:\\s]+:[^:\\s]+:[^:\\s]+$';
const ID_CLIENT = '^[^:\\s]+:[^:\\s]+:[^:\\s]+(:[^:\\s]+)?$';
const ID_SUBSYSTEM = '^[^:\\s]+:[^:\\s]+:[^:\\s]+:[^:\\s]+$';

const secretRef: S = {
  description: 'A reference to a secret, never the secret itself: { env: NAME } or { file: PATH }.',
  type: 'object',
  oneOf: [
    { type: 'object', properties: { env: str('environment variable holding the secret', { minLength: 1 }) }, required: ['env'], additionalProperties: false },
    {
      type: 'object',
      properties: { file: str('file whose first line is the secret (mode 0600)', { minLength: 1 }) },
      required: ['file'],
      additionalProperties: false,
    },
  ],
};

const connection: Record<string, S> = {
  url: str('Admin API URL, e.g. https://ss1.example.org:4000 (/api/v1 is added when no path is given); ${VAR} is expanded.', {
    'x-expand': true,
    pattern: '^(https://|\\$\\{)',
  }),
  apiKey: secretRef,
  tlsFingerprint: str('SHA-256 fingerprint of the admin TLS certificate; pins it instead of CA verification; ${VAR} is expanded.', {
    'x-expand': true,
    pattern: '^(\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}|(sha256:)?([0-9A-Fa-f]{2}:?){32})$',
  }),
  caFile: str('PEM CA bundle to verify the admin TLS certificate with.'),
};

const issuer: S = {
  description: 'How apply obtains a certificate when none works.',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  properties: {
    serverAcme: { type: 'object', description: 'The security server orders it from the CA over ACME (X-Road 7.6+).', additionalProperties: false },
    command: {
      type: 'object',
      description: "An operator's CA command, run without a shell: {csr} and {cert} are files, {usage} is auth or sign.",
      properties: { run: str('command line, quoted like a shell'), timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 } },
      required: ['run'],
      additionalProperties: false,
    },
    manual: {
      type: 'object',
      description: 'Write the CSR to a folder; import the answer later.',
      properties: { dir: str('folder for CSRs') },
      required: ['dir'],
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

const certSpec = (sign: boolean): S => ({
  type: 'object',
  description: sign ? 'A sign certificate for a member (all its subsystems on this server share it).' : 'The auth certificate of the server.',
  properties: {
    ...(sign ? { member: str('member id INSTANCE:CLASS:CODE', { pattern: ID_MEMBER }) } : {}),
    ca: str('approved CA name, as the central server lists it'),
    renewBeforeDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30, description: 'rotate when fewer days are left' },
    keepReplaced: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: 'forever',
      description: 'after a rotation, delete the replaced key this long after it is taken out of use (0, 12h, 7d, forever)',
    },
    issuer,
  },
  required: sign ? ['member', 'ca'] : ['ca'],
  additionalProperties: false,
});

const service: S = {
  type: 'object',
  description: 'A service of the description, by its code.',
  properties: {
    code: str('service code (REST/OPENAPI3: the restServiceCode; WSDL: the operation code)', { minLength: 1 }),
    timeout: { type: 'integer', minimum: 0, maximum: 1000, description: 'timeout in seconds' },
    url: str('service URL', { 'x-expand': true }),
    sslAuth: { type: 'boolean', description: 'verify the information system TLS certificate' },
    endpoints: {
      type: 'array',
      description: 'REST endpoints (method and path) beyond the generated ones',
      items: {
        type: 'object',
        properties: {
          method: { type: 'string', enum: ['*', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'] },
          path: str('path, e.g. /pets/*', { minLength: 1 }),
        },
        required: ['method', 'path'],
        additionalProperties: false,
      },
    },
    accessRights: {
      type: 'array',
      description: 'who may call it: subsystems INSTANCE:CLASS:CODE:SUBSYSTEM, global groups INSTANCE:GROUP, local groups local:CODE',
      items: str('subject', { minLength: 1 }),
    },
  },
  required: ['code'],
  additionalProperties: false,
};

const serviceDescription: S = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['WSDL', 'OPENAPI3', 'REST'], description: 'description type' },
    url: str('URL of the WSDL / OpenAPI document, or the REST base URL', { 'x-expand': true, minLength: 1 }),
    restServiceCode: str('service code (REST and OPENAPI3)'),
    disabled: { type: 'boolean', default: false, description: 'keep the description disabled' },
    services: { type: 'array', items: service },
  },
  required: ['type', 'url'],
  additionalProperties: false,
};

const client: S = {
  type: 'object',
  properties: {
    id: str('client id INSTANCE:CLASS:CODE:SUBSYSTEM (or a member INSTANCE:CLASS:CODE)', { pattern: ID_CLIENT }),
    name: str('subsystem name'),
    connectionType: { type: 'string', enum: ['HTTP', 'HTTPS', 'HTTPS_NO_AUTH'], description: 'connection type for the information system' },
    register: { type: 'boolean', default: true, description: 'register the client at the central server' },
    serviceDescriptions: { type: 'array', items: serviceDescription },
    localGroups: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: str('group code', { minLength: 1 }),
          description: str('description'),
          members: { type: 'array', items: str('member subsystem id', { pattern: ID_SUBSYSTEM }) },
        },
        required: ['code', 'description'],
        additionalProperties: false,
      },
    },
    prune: {
      type: 'object',
      description: 'delete what this client has on the server but the manifest does not list',
      properties: {
        serviceDescriptions: { type: 'boolean', default: false },
        accessRights: { type: 'boolean', default: false },
        endpoints: { type: 'boolean', default: false },
        localGroupMembers: { type: 'boolean', default: false },
      },
      additionalProperties: false,
    },
  },
  required: ['id'],
  additionalProperties: false,
};

function signingKeySpec(source: string): S {
  return {
    type: 'object',
    description: `the ${source} source's signing key`,
    properties: {
      token: str('the central server token that holds the keys', { default: '0' }),
      renewAfterDays: { type: 'integer', minimum: 1, maximum: 36500, default: 365, description: 'change the key once the active one is this many days old' },
    },
    additionalProperties: false,
  };
}

export const manifestSchema: S = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://xrdctl.dev/schema/manifest.schema.json',
  title: 'xrdctl manifest',
  description: 'The desired state of an X-Road instance: its central server and a fleet of security servers.',
  type: 'object',
  properties: {
    apiVersion: { type: 'string', const: 'xrdctl/v1', description: 'manifest format version' },
    instance: str('X-Road instance identifier, e.g. DEV, EE, FI', { pattern: '^[^:\\s]+$' }),
    centralServer: {
      type: 'object',
      properties: {
        name: str('name used in output and errors', { default: 'cs' }),
        ...connection,
        approveRequests: { type: 'boolean', default: false, description: 'approve the management requests this manifest causes' },
        members: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: str('member id INSTANCE:CLASS:CODE', { pattern: ID_MEMBER }), name: str('member name', { minLength: 1 }) },
            required: ['id', 'name'],
            additionalProperties: false,
          },
        },
        subsystems: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: str('subsystem id INSTANCE:CLASS:CODE:SUBSYSTEM', { pattern: ID_SUBSYSTEM }), name: str('subsystem name') },
            required: ['id'],
            additionalProperties: false,
          },
        },
        configurationSigning: {
          type: 'object',
          description:
            'The configuration signing keys of the central server, per source: plan shows a due key change and health the active key’s age (xrdctl rotate config-signing makes the change).',
          properties: { internal: signingKeySpec('internal'), external: signingKeySpec('external') },
          additionalProperties: false,
        },
      },
      required: ['url', 'apiKey'],
      additionalProperties: false,
    },
    securityServers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str('name used in output and errors', { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
          ...connection,
          id: str('security server id INSTANCE:CLASS:CODE:SERVERCODE', { pattern: ID_SUBSYSTEM }),
          address: str('public address registered with the auth certificate', { 'x-expand': true }),
          token: {
            type: 'object',
            properties: {
              id: str('token id (0 = software token)', { default: '0' }),
              pin: secretRef,
              login: { type: 'boolean', default: true, description: 'keep the token logged in' },
            },
            additionalProperties: false,
          },
          initialize: {
            type: 'object',
            description: 'Initialise the server when it is not: the anchor, then the owner and server code (from id) and the token PIN (token.pin).',
            properties: {
              anchor: {
                type: 'object',
                description: 'The configuration anchor: a file (relative to this manifest), or downloaded from the central server’s internal source.',
                properties: {
                  file: str('anchor XML file'),
                  fromCentralServer: { type: 'boolean', const: true, description: 'download it from the central server' },
                },
                minProperties: 1,
                maxProperties: 1,
                additionalProperties: false,
              },
            },
            required: ['anchor'],
            additionalProperties: false,
          },
          timestampingServices: {
            type: 'array',
            description: 'Timestamping services to use, by the name or URL global configuration approves them under.',
            items: {
              type: 'object',
              properties: { name: str('approved name', { minLength: 1 }), url: str('approved URL', { minLength: 1 }) },
              minProperties: 1,
              maxProperties: 1,
              additionalProperties: false,
            },
          },
          certificates: {
            type: 'object',
            properties: { auth: certSpec(false), sign: { type: 'array', items: certSpec(true) } },
            additionalProperties: false,
          },
          clients: { type: 'array', items: client },
          prune: {
            type: 'object',
            properties: { clients: { type: 'boolean', default: false, description: 'unregister and delete subsystems the manifest does not list' } },
            additionalProperties: false,
          },
        },
        required: ['name', 'url', 'apiKey', 'id'],
        additionalProperties: false,
      },
    },
    health: {
      type: 'object',
      description: 'Thresholds of xrdctl health -f (defaults and where each comes from: docs/monitoring.md); flags override them.',
      properties: {
        warnDays: { type: 'integer', minimum: 0, description: 'certificate WARNING below this many days left (default 30)' },
        critDays: { type: 'integer', minimum: 0, description: 'certificate CRITICAL below this many days left (default 7)' },
        minimumVersion: str('oldest acceptable X-Road version of the security servers, e.g. 7.6.0', { pattern: '^\\d+(\\.\\d+){0,2}$' }),
        ...Object.fromEntries(
          [
            'registrationPending',
            'gcAgeWarn',
            'gcAgeCrit',
            'ocspAgeWarn',
            'ocspAgeCrit',
            'tsaFailCrit',
            'requestAge',
            'csGenerationWarn',
            'csGenerationCrit',
            'timeout',
          ].map((k) => [
            k,
            { type: ['integer', 'string'], pattern: '^\\d+(\\.\\d+)?[smhdw]?$', minimum: 0, description: `${k}: seconds, or a number with s, m, h, d or w` },
          ]),
        ),
      },
      additionalProperties: false,
    },
  },
  required: ['apiVersion', 'instance'],
  additionalProperties: false,
};
