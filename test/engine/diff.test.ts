import { describe, expect, it } from 'vitest';
import { diffCentral } from '../../src/engine/kinds/central.js';
import { diffServer } from '../../src/engine/kinds/index.js';
import type { ActualServer, Change } from '../../src/engine/types.js';
import type { DesiredClient, DesiredServer } from '../../src/model/desired.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

const cert = (o: { usage: 'AUTHENTICATION' | 'SIGNING'; owner?: string; daysLeft: number; active?: boolean; status?: string; ocsp?: string }) => ({
  usage: o.usage,
  id: `k-${Math.random()}`,
  certificates: [
    {
      active: o.active ?? true,
      status: o.status ?? 'REGISTERED',
      ocsp_status: o.ocsp ?? 'OCSP_RESPONSE_GOOD',
      owner_id: o.owner,
      saved_to_configuration: true,
      certificate_details: { hash: 'AB', not_before: days(-300), not_after: days(o.daysLeft) },
    },
  ],
  certificate_signing_requests: [],
});

const client = (over: Partial<DesiredClient> = {}): DesiredClient => ({
  id: 'DEV:GOV:1:A',
  register: true,
  serviceDescriptions: [],
  localGroups: [],
  prune: { serviceDescriptions: false, accessRights: false, endpoints: false, localGroupMembers: false },
  ...over,
});

const server = (over: Partial<DesiredServer> = {}): DesiredServer => ({
  name: 'ss1',
  conn: { url: 'https://127.0.0.1:4000', apiKey: { env: 'K' } },
  id: 'DEV:GOV:1:SS1',
  token: { id: '0', login: true },
  certificates: [],
  clients: [],
  pruneClients: false,
  ...over,
});

const actual = (over: Partial<ActualServer> = {}): ActualServer => ({
  tokens: [{ id: '0', logged_in: true, keys: [] } as any],
  clients: [],
  serviceDescriptions: new Map(),
  accessRights: new Map(),
  localGroups: new Map(),
  ...over,
});

const summary = (cs: Change[]) => cs.map((c) => `${c.op} ${c.kind}${c.action ? ' ' + c.action.type : ''}`);
const diff = (s: DesiredServer, a: ActualServer) => diffServer({ server: s, actual: a, instance: 'DEV', now: NOW });

describe('kind diffs (pure: desired × actual → typed changes)', () => {
  it.each<[string, DesiredServer, ActualServer, string[]]>([
    ['nothing declared, nothing to do', server(), actual(), []],
    ['a logged-out token is logged in', server(), actual({ tokens: [{ id: '0', logged_in: false, keys: [] } as any] }), ['update token token-login']],
    [
      'login: false leaves the token alone',
      server({ token: { id: '0', login: false } }),
      actual({ tokens: [{ id: '0', logged_in: false, keys: [] } as any] }),
      [],
    ],
    [
      'a missing auth certificate with an issuer is issued',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual(),
      ['create auth-cert issue-cert'],
    ],
    [
      'a missing certificate without an issuer needs attention',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30 }] }),
      actual(),
      ['unsafe auth-cert'],
    ],
    [
      'a working auth certificate far from expiry is fine',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30 }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'AUTHENTICATION', daysLeft: 200 })] } as any] }),
      [],
    ],
    [
      'an inactive auth certificate does not count as working',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'AUTHENTICATION', daysLeft: 200, active: false })] } as any] }),
      ['create auth-cert issue-cert'],
    ],
    [
      'a sign certificate is judged per member',
      server({ certificates: [{ usage: 'sign', member: 'DEV:GOV:2', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'SIGNING', owner: 'DEV:GOV:1', daysLeft: 200 })] } as any] }),
      ['create sign-cert issue-cert'],
    ],
    [
      'a new client is added and registered, then waited for',
      server({ clients: [client()] }),
      actual(),
      ['create client add-client', 'update client-registration register-client', 'update client-registration wait-clients-registered'],
    ],
    ['register: false only adds', server({ clients: [client({ register: false })] }), actual(), ['create client add-client']],
    [
      'a registered client with another connection type is updated',
      server({ clients: [client({ connectionType: 'HTTPS' })] }),
      actual({
        clients: [{ member_class: 'GOV', member_code: '1', subsystem_code: 'A', instance_id: 'DEV', status: 'REGISTERED', connection_type: 'HTTP' } as any],
      }),
      ['update client set-connection-type'],
    ],
    [
      'prune removes a subsystem the manifest does not name, never the owner',
      server({ pruneClients: true }),
      actual({
        clients: [
          { member_class: 'GOV', member_code: '1', subsystem_code: 'OLD', instance_id: 'DEV', status: 'REGISTERED' } as any,
          { member_class: 'GOV', member_code: '1', instance_id: 'DEV', status: 'REGISTERED', owner: true } as any,
        ],
      }),
      ['delete client remove-client'],
    ],
    [
      'a new service description with service parameters and an endpoint',
      server({
        clients: [
          client({
            register: false,
            serviceDescriptions: [
              {
                type: 'OPENAPI3',
                url: 'https://is/o.yaml',
                restServiceCode: 'c',
                disabled: false,
                services: [{ code: 'c', timeout: 30, endpoints: [{ method: 'GET', path: '/x' }], accessRights: ['DEV:GOV:2:B'] }],
              },
            ],
          }),
        ],
      }),
      actual({ clients: [{ member_class: 'GOV', member_code: '1', subsystem_code: 'A', instance_id: 'DEV', status: 'SAVED' } as any] }),
      [
        'create service-description add-service-description',
        'create service update-service',
        'create endpoint add-endpoint',
        'create access-right grant-access',
      ],
    ],
  ])('%s', (_n, d, a, want) => {
    expect(summary(diff(d, a))).toEqual(want);
  });

  it.each<[string, DesiredServer, ActualServer, string[]]>([
    [
      'a fresh server is initialised (and the rest of its changes follow)',
      server({ initialize: { anchor: { central: true } }, certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({
        init: {
          is_anchor_imported: false,
          is_server_code_initialized: false,
          is_server_owner_initialized: false,
          software_token_init_status: 'NOT_INITIALIZED',
          enforce_token_pin_policy: false,
        },
        tokens: [],
      }),
      ['create server-init init-server', 'update token token-login', 'create auth-cert issue-cert'],
    ],
    [
      'an initialised server needs no initialisation',
      server({ initialize: { anchor: { file: '/a.xml' } } }),
      actual({
        init: {
          is_anchor_imported: true,
          is_server_code_initialized: true,
          is_server_owner_initialized: true,
          software_token_init_status: 'INITIALIZED',
          enforce_token_pin_policy: false,
        },
      }),
      [],
    ],
    [
      'a timestamping service not configured yet is added',
      server({ timestampingServices: [{ name: 'TSA' }] }),
      actual({ timestamping: { configured: [] } }),
      ['create timestamping add-timestamping-service'],
    ],
    [
      'one already configured (by URL) is left alone',
      server({ timestampingServices: [{ url: 'http://tsa' }] }),
      actual({ timestamping: { configured: [{ name: 'X', url: 'http://tsa', cost_type: 'FREE' }] } }),
      [],
    ],
    [
      'a certificate within renewBeforeDays is rotated, with the certificate it replaces',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'AUTHENTICATION', daysLeft: 10 })] } as any] }),
      ['update auth-cert rotate-cert'],
    ],
    [
      'an expired certificate is rotated (replaced and cleaned up), not issued beside it',
      server({ certificates: [{ usage: 'sign', member: 'DEV:GOV:1', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'SIGNING', owner: 'DEV:GOV:1', daysLeft: -2, ocsp: 'EXPIRED' })] } as any] }),
      ['update sign-cert rotate-cert'],
    ],
    [
      'a due certificate without an issuer needs attention',
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30 }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'AUTHENTICATION', daysLeft: 10 })] } as any] }),
      ['unsafe auth-cert'],
    ],
  ])('%s', (_n, d, a, want) => {
    expect(summary(diff(d, a))).toEqual(want);
  });

  it('rotation summaries name the days left', () => {
    const out = diff(
      server({ certificates: [{ usage: 'auth', ca: 'CA', renewBeforeDays: 30, issuer: { type: 'server-acme' } }] }),
      actual({ tokens: [{ id: '0', logged_in: true, keys: [cert({ usage: 'AUTHENTICATION', daysLeft: 24 })] } as any] }),
    );
    expect(out[0]!.summary).toBe('rotate auth certificate (24 days left)');
  });

  it('updates carry before and after values', () => {
    const sd = {
      id: '1',
      url: 'https://is/o.yaml',
      type: 'OPENAPI3',
      disabled: false,
      services: [{ id: 's', service_code: 'c', timeout: 60, url: 'https://is', endpoints: [] }],
    };
    const d = server({
      clients: [
        client({
          register: false,
          serviceDescriptions: [
            { type: 'OPENAPI3', url: 'https://is/o.yaml', disabled: true, services: [{ code: 'c', timeout: 30, endpoints: [], accessRights: [] }] },
          ],
        }),
      ],
    });
    const a = actual({
      clients: [{ member_class: 'GOV', member_code: '1', subsystem_code: 'A', instance_id: 'DEV', status: 'SAVED' } as any],
      serviceDescriptions: new Map([['DEV:GOV:1:A', [sd as any]]]),
    });
    const out = diff(d, a);
    expect(out.map((c) => c.diff)).toEqual([{ disabled: { from: false, to: true } }, { timeout: { from: 60, to: 30 } }]);
  });

  it('access rights the manifest drops are kept and reported, or revoked with prune', () => {
    const sd = { id: '1', url: 'https://is/o.yaml', type: 'OPENAPI3', disabled: false, services: [{ id: 's', service_code: 'c', endpoints: [] }] };
    const base = {
      clients: [{ member_class: 'GOV', member_code: '1', subsystem_code: 'A', instance_id: 'DEV', status: 'SAVED' } as any],
      serviceDescriptions: new Map([['DEV:GOV:1:A', [sd as any]]]),
      accessRights: new Map([['DEV:GOV:1:A', new Map([['DEV:GOV:9:Z', { type: 'SUBSYSTEM', codes: ['c'] }]])]]),
    };
    const desc = [{ type: 'OPENAPI3' as const, url: 'https://is/o.yaml', disabled: false, services: [{ code: 'c', endpoints: [], accessRights: [] }] }];
    expect(summary(diff(server({ clients: [client({ register: false, serviceDescriptions: desc })] }), actual(base)))).toEqual(['keep access-right']);
    const pruning = client({
      register: false,
      serviceDescriptions: desc,
      prune: { serviceDescriptions: false, accessRights: true, endpoints: false, localGroupMembers: false },
    });
    expect(summary(diff(server({ clients: [pruning] }), actual(base)))).toEqual(['delete access-right revoke-access']);
  });

  it('central: missing members and subsystems are added, a renamed member updated with before and after', () => {
    const out = diffCentral(
      {
        name: 'cs',
        conn: { url: 'https://x', apiKey: { env: 'K' } },
        approveRequests: true,
        members: [
          { id: 'DEV:GOV:1', name: 'New' },
          { id: 'DEV:GOV:2', name: 'Two' },
        ],
        subsystems: [{ id: 'DEV:GOV:2:A' }],
      },
      { members: new Set(['DEV:GOV:1']), memberNames: new Map([['DEV:GOV:1', 'Old']]), subsystems: new Set() },
    );
    expect(summary(out)).toEqual(['update cs-member cs-rename-member', 'create cs-member cs-add-member', 'create cs-subsystem cs-add-subsystem']);
    expect(out[0]!.diff).toEqual({ name: { from: 'Old', to: 'New' } });
  });
  it.each([
    // [what, active key age in days (null: no active key), renewAfterDays, expected summaries]
    ['fresh key: nothing', 10, 365, []],
    ['due key: reported (!) with the command, no action', 400, 365, ['unsafe config-signing']],
    ['exactly renewAfterDays old: due', 30, 30, ['unsafe config-signing']],
    ['no active key: reported', null, 365, ['unsafe config-signing']],
  ] as const)('central: configuration signing key, %s', (_what, age, renewAfterDays, want) => {
    const now = new Date('2026-12-01T00:00:00Z');
    const keys =
      age === null
        ? []
        : [{ source: 'INTERNAL' as const, id: '7', token: '0', active: true, createdAt: new Date(now.getTime() - age * 86_400_000).toISOString() }];
    const out = diffCentral(
      {
        name: 'cs',
        conn: { url: 'https://x', apiKey: { env: 'K' } },
        approveRequests: false,
        members: [],
        subsystems: [],
        configurationSigning: { INTERNAL: { token: '0', renewAfterDays, pos: { file: 'm.yaml' } } },
      },
      { members: new Set(), memberNames: new Map(), subsystems: new Set(), signingKeys: keys },
      now,
    );
    expect(summary(out)).toEqual(want);
    expect(out.every((c) => c.action === undefined)).toBe(true);
    if (age !== null && want.length)
      expect(out[0]!.summary).toBe(
        `internal configuration signing key 7 is ${age} days old (renewAfterDays ${renewAfterDays}): run xrdctl rotate config-signing -f m.yaml`,
      );
  });
});
