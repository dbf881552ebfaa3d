/** The classification of xroad-flows §7, table-driven and pure (no server). */
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { Token, TokenCertificate } from '../../src/api/types/ss.js';
import { certInputs, classifyCertificates, type RegistrationInfo } from '../../src/health/certificates.js';
import * as C from '../../src/health/classify.js';
import type { HealthReport, Status } from '../../src/health/model.js';
import { applyOverrides, defaultThresholds, parseDuration, versionBelow } from '../../src/health/thresholds.js';
import { nagiosHealth, perfString, prometheusHealth } from '../../src/output/health.js';
import { NAGIOS_LINE } from './support.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const t = defaultThresholds();
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();

let n = 0;
function cert(o: Partial<TokenCertificate> & { days?: number; owner?: string } = {}): TokenCertificate {
  const hash = (++n).toString(16).toUpperCase().padStart(64, '0');
  return {
    ocsp_status: 'OCSP_RESPONSE_GOOD',
    owner_id: o.owner ?? 'DEV:GOV:1',
    active: true,
    saved_to_configuration: true,
    status: 'REGISTERED',
    ...o,
    certificate_details: { hash, not_before: days(-300), not_after: days(o.days ?? 200) } as TokenCertificate['certificate_details'],
  };
}
function tokens(auth: TokenCertificate[], sign: TokenCertificate[] = [cert()], loggedIn = true): Token[] {
  return [
    {
      id: '0',
      name: 'softToken-0',
      type: 'SOFTWARE',
      status: 'OK',
      logged_in: loggedIn,
      available: true,
      saved_to_configuration: true,
      read_only: false,
      keys: [
        {
          id: 'a',
          name: 'a',
          label: 'a',
          usage: 'AUTHENTICATION',
          available: true,
          key_algorithm: 'RSA',
          certificate_signing_requests: [],
          certificates: auth,
        },
        { id: 's', name: 's', label: 's', usage: 'SIGNING', available: true, key_algorithm: 'RSA', certificate_signing_requests: [], certificates: sign },
      ],
    },
  ];
}
function authStatus(auth: TokenCertificate[], o: { loggedIn?: boolean; regs?: Map<string, RegistrationInfo>; csAsked?: boolean } = {}) {
  const r = classifyCertificates(certInputs(tokens(auth, [cert()], o.loggedIn ?? true), NOW), {
    now: NOW,
    t,
    at: '-c ss1',
    members: ['DEV:GOV:1'],
    registrations: o.regs,
    csAsked: o.csAsked ?? false,
  });
  return { check: r.checks.find((c) => c.name === 'auth-cert')!, all: r.checks, certs: r.certs };
}

describe('auth certificate classification', () => {
  const cases: Array<[string, TokenCertificate[], Status, RegExp, { loggedIn?: boolean }?]> = [
    ['one working, 200 days', [cert()], 'OK', /in use: REGISTERED, active, OCSP GOOD, 200 days left/],
    ['one working, 20 days', [cert({ days: 20 })], 'WARNING', /20 days left/],
    ['one working, 3 days', [cert({ days: 3 })], 'CRITICAL', /3 days left/],
    ['expired, the only one', [cert({ days: -1, ocsp_status: 'EXPIRED' })], 'CRITICAL', /expired on/],
    [
      'SAVED, inactive, unregistered (the server is offline)',
      [cert({ status: 'SAVED', active: false, ocsp_status: 'DISABLED', days: 364 })],
      'CRITICAL',
      /is SAVED, not registered/,
    ],
    ['revoked, the active one', [cert({ ocsp_status: 'OCSP_RESPONSE_REVOKED' })], 'CRITICAL', /REVOKED by its CA/],
    ['suspended, the active one', [cert({ ocsp_status: 'OCSP_RESPONSE_SUSPENDED' })], 'CRITICAL', /SUSPENDED by its CA/],
    [
      'GLOBAL_ERROR on the only one',
      [cert({ status: 'GLOBAL_ERROR', ocsp_status: undefined })],
      'CRITICAL',
      /GLOBAL_ERROR: the central server no longer lists it/,
    ],
    ['REGISTERED but disabled', [cert({ active: false, ocsp_status: 'DISABLED' })], 'CRITICAL', /REGISTERED but disabled/],
    ['no OCSP answer yet', [cert({ ocsp_status: 'OCSP_RESPONSE_UNKNOWN' })], 'CRITICAL', /no good OCSP answer \(UNKNOWN\)/],
    ['token logged out', [cert()], 'CRITICAL', /its token 0 is logged out/, { loggedIn: false }],
    ['none at all', [], 'CRITICAL', /^no auth certificate/],
    [
      'after a rotation: old expired + old disabled + a working new one',
      [cert({ days: -30, ocsp_status: 'EXPIRED' }), cert({ active: false, ocsp_status: 'DISABLED', days: 10 }), cert({ days: 300 })],
      'OK',
      /300 days left/,
    ],
    ['two working: the longest lasting counts', [cert({ days: 5 }), cert({ days: 250 })], 'OK', /250 days left/],
  ];
  it.each(cases.map(([name, ...rest]) => [`${name} → ${rest[1]}`, ...rest] as (typeof cases)[number]))('%s', (_name, auth, status, msg, o) => {
    const r = authStatus(auth, o);
    expect(r.check.status).toBe(status);
    expect(r.check.message).toMatch(msg);
    if (status !== 'OK') expect(r.check.remedy).toMatch(/xrdctl /);
  });

  it('replaced certificates are informational (counts=false), the one in use counts', () => {
    const r = authStatus([cert({ days: -30, ocsp_status: 'EXPIRED' }), cert({ days: 300 })]);
    expect(r.certs.filter((c) => c.usage === 'auth' && c.counts).map((c) => c.daysLeft)).toEqual([300]);
    expect(r.certs.find((c) => c.daysLeft < 0)).toMatchObject({ counts: false, severity: 'OK' });
    expect(r.all.every((c) => c.status === 'OK')).toBe(true);
  });

  it('a pending registration: declined at the CS is CRITICAL, waiting over an hour WARNING, fresh OK, unknown CS OK', () => {
    const pend = cert({ status: 'REGISTRATION_IN_PROGRESS', active: false, ocsp_status: 'DISABLED' });
    const h = pend.certificate_details.hash;
    const regs = (status: string, ageS: number) => new Map([[h, { id: 7, status, createdAt: ago(ageS) }]]);
    // the only one, declined
    expect(authStatus([pend], { regs: regs('DECLINED', 100), csAsked: true }).check).toMatchObject({
      status: 'CRITICAL',
      message: expect.stringMatching(/request #7 was DECLINED/),
    });
    // beside a working one: the successor is stuck
    const working = cert({ days: 100 });
    const declined = authStatus([working, pend], { regs: regs('DECLINED', 100), csAsked: true });
    expect(declined.check.status).toBe('OK');
    expect(declined.all.find((c) => c.name === 'auth-cert-registration')).toMatchObject({
      status: 'CRITICAL',
      remedy: expect.stringMatching(/mark-for-deletion/),
    });
    expect(authStatus([working, pend], { regs: regs('WAITING', 7200), csAsked: true }).all.find((c) => c.name === 'auth-cert-registration')).toMatchObject({
      status: 'WARNING',
      remedy: 'xrdctl cs request approve 7 (or decline it and register again)',
    });
    expect(authStatus([working, pend], { regs: regs('WAITING', 60), csAsked: true }).all.map((c) => c.status)).not.toContain('WARNING');
    expect(authStatus([working, pend]).all.map((c) => c.status)).not.toContain('WARNING');
    // the CS has no request for it at all (deleted there)
    expect(authStatus([pend], { regs: new Map(), csAsked: true }).check.message).toMatch(/has no registration request for it/);
  });

  it('the sign certificate of every member client, and others informational', () => {
    const r = classifyCertificates(certInputs(tokens([cert()], [cert({ owner: 'DEV:GOV:1', days: 20 }), cert({ owner: 'DEV:COM:9' })]), NOW), {
      now: NOW,
      t,
      at: '-c ss1',
      members: ['DEV:GOV:1', 'DEV:GOV:2'],
      csAsked: false,
    });
    expect(r.checks.find((c) => c.name === 'sign-cert DEV:GOV:1')).toMatchObject({ status: 'WARNING' });
    expect(r.checks.find((c) => c.name === 'sign-cert DEV:GOV:2')).toMatchObject({
      status: 'CRITICAL',
      message: expect.stringMatching(/^no sign certificate of DEV:GOV:2/),
      remedy: expect.stringMatching(/--member DEV:GOV:2/),
    });
    expect(r.certs.find((c) => c.ownerId === 'DEV:COM:9')).toMatchObject({ counts: false, reason: expect.stringMatching(/not a client/) });
  });
});

describe('the other checks (§7 table)', () => {
  const gc = (status_class: 'OK' | 'WAITING' | 'FAIL', ageS: number) =>
    C.classifyGlobalConf({ status_class, prev_update_at: ago(ageS), next_update_at: ago(-60) }, NOW, t).status;
  it.each([
    ['OK', 30, 'OK'],
    ['OK', 121, 'WARNING'],
    ['OK', 600, 'CRITICAL'],
    ['WAITING', 10, 'WARNING'],
    ['FAIL', 10, 'CRITICAL'],
  ] as const)('globalconf %s, %i s old → %s', (s, a, want) => expect(gc(s, a)).toBe(want));

  it.each([
    [['OK', 'OK'], 'OK'],
    [['OK', 'FAIL'], 'WARNING'],
    [['FAIL', 'FAIL'], 'CRITICAL'],
  ] as const)('globalconf download URLs %j → %s', (st, want) => {
    expect(
      C.classifyDownloadUrls(
        st.map((s, i) => ({ download_url: `http://cs${i}`, connection_status: { status_class: s, error: { code: s === 'OK' ? 'ok' : 'x' } } })),
      ).status,
    ).toBe(want);
  });

  const ocsp = (rs: Array<['OK' | 'FAIL', number]>) =>
    C.classifyOcsp(
      [
        {
          distinguished_name: 'CN=Test CA, O=X',
          ocsp_responders: rs.map(([s, a], i) => ({ url: `http://o${i}`, status_class: s, prev_update_at: ago(a), next_update_at: ago(-60) })),
        },
      ],
      NOW,
      t,
    )[0]!;
  it.each([
    [[['OK', 60]], 'OK'],
    [
      [
        ['OK', 60],
        ['FAIL', 60],
      ],
      'WARNING',
    ],
    [[['FAIL', 60]], 'CRITICAL'],
    [[['OK', 1801]], 'WARNING'],
    [[['OK', 3601]], 'CRITICAL'],
  ] as const)('OCSP responders %j → %s', (rs, want) => expect(ocsp(rs as never).status).toBe(want));
  it('an OCSP check is named by the CA', () => expect(ocsp([['OK', 1]]).name).toBe('ocsp Test CA'));

  it('timestamping only counts with the message log on', () => {
    const tsa = (s: 'OK' | 'FAIL' | 'WAITING', a = 60) => ({ url: 'http://tsa', status_class: s, prev_update_at: ago(a) });
    expect(C.classifyTimestamping({ messagelog_enabled: false, opmonitoring_enabled: false }, [], NOW, t).status).toBe('OK');
    expect(C.classifyTimestamping({ messagelog_enabled: true, opmonitoring_enabled: false }, [], NOW, t).status).toBe('WARNING');
    expect(C.classifyTimestamping({ messagelog_enabled: true, opmonitoring_enabled: false }, [tsa('WAITING')], NOW, t).status).toBe('OK');
    expect(C.classifyTimestamping({ messagelog_enabled: true, opmonitoring_enabled: false }, [tsa('FAIL')], NOW, t).status).toBe('WARNING');
    expect(C.classifyTimestamping({ messagelog_enabled: true, opmonitoring_enabled: false }, [tsa('FAIL', 7201)], NOW, t).status).toBe('CRITICAL');
    expect(C.classifyTimestamping({ messagelog_enabled: true, opmonitoring_enabled: false }, [tsa('FAIL', 7201), tsa('OK')], NOW, t).status).toBe('WARNING');
  });

  it.each([
    ['OK', true, 'OK'],
    ['USER_PIN_COUNT_LOW', true, 'WARNING'],
    ['USER_PIN_FINAL_TRY', true, 'WARNING'],
    ['USER_PIN_LOCKED', true, 'CRITICAL'],
    ['OK', false, 'CRITICAL'],
  ] as const)('token %s, logged in %s → %s', (status, logged, want) => {
    expect(
      C.classifyTokens(
        [{ id: '0', name: 't', type: 'SOFTWARE', status, logged_in: logged, available: true, saved_to_configuration: true, read_only: false, keys: [] }],
        '-c ss1',
      )[0]!.status,
    ).toBe(want);
  });

  it('clients: GLOBAL_ERROR critical, DISABLED warning, a declined registration critical', () => {
    const base = { instance_id: 'DEV', member_class: 'GOV', member_code: '1' };
    const r = C.classifyClients(
      [
        { ...base, subsystem_code: 'A', status: 'GLOBAL_ERROR' },
        { ...base, subsystem_code: 'B', status: 'DISABLED' },
        { ...base, subsystem_code: 'C', status: 'REGISTRATION_IN_PROGRESS' },
      ],
      {
        now: NOW,
        t,
        at: '-c ss1',
        csAsked: true,
        registrations: new Map([['DEV:GOV:1:C', { status: 'DECLINED', id: 3 }]]),
      },
    );
    expect(r.map((c) => [c.name, c.status])).toEqual([
      ['client DEV:GOV:1:A', 'CRITICAL'],
      ['client DEV:GOV:1:B', 'WARNING'],
      ['client DEV:GOV:1:C', 'CRITICAL'],
    ]);
  });

  it('version, maintenance, memory, auth-cert-req-status', () => {
    const v = {
      info: '7.5.1',
      java_version: 11,
      min_java_version: 17,
      max_java_version: 21,
      using_supported_java_version: false,
      java_vendor: 'x',
      java_runtime_version: '11',
    };
    expect(C.classifyVersion(v, { ...t, minimumVersion: '7.6' })).toMatchObject({
      status: 'WARNING',
      message: expect.stringMatching(/unsupported Java 11.*older than the required 7\.6/),
    });
    expect(C.classifyVersion({ ...v, info: '7.8.1', using_supported_java_version: true }, { ...t, minimumVersion: '7.6' }).status).toBe('OK');
    expect(C.classifyMaintenance({ status: 'ENABLED_MAINTENANCE_MODE', message: 'upgrade', is_management_services_provider: false }).status).toBe('WARNING');
    expect(
      C.classifyMemory({ max_memory: 100, total_memory: 100, used_memory: 95, threshold: 90, usage_percent: 95, is_used_over_threshold: true }).status,
    ).toBe('WARNING');
    expect(C.classifyAuthCertReq({ status_class: 'FAIL', error: { code: 'x' } }).status).toBe('WARNING');
  });

  it('central server: HA nodes, generation age, waiting requests', () => {
    expect(
      C.classifyHa({
        is_ha_configured: true,
        all_nodes_ok: false,
        nodes: [
          { node_name: 'a', status: 'OK' },
          { node_name: 'b', status: 'WARN' },
          { node_name: 'c', status: 'ERROR' },
        ],
      }).map((c) => [c.name, c.status]),
    ).toEqual([
      ['ha a', 'OK'],
      ['ha b', 'WARNING'],
      ['ha c', 'CRITICAL'],
      ['ha', 'CRITICAL'],
    ]);
    expect([30, 71, 601].map((a) => C.classifyGeneration(ago(a), NOW, t).status)).toEqual(['OK', 'WARNING', 'CRITICAL']);
    expect(C.classifyGeneration(undefined, NOW, t).status).toBe('UNKNOWN');
    const req = (id: number, a: number) => ({
      id,
      type: 'CLIENT_REGISTRATION_REQUEST' as const,
      origin: 'SECURITY_SERVER' as const,
      created_at: ago(a),
      security_server_id: {
        instance_id: 'DEV',
        type: 'SERVER' as const,
        member_class: 'GOV',
        member_code: '1',
        server_code: 'SS1',
        encoded_id: 'DEV:GOV:1:SS1',
      },
    });
    expect(C.classifyRequests([req(1, 3600)], 1, NOW, t, '-c cs').status).toBe('OK');
    expect(C.classifyRequests([req(1, 2 * 86400), req(2, 60)], 2, NOW, t, '-c cs')).toMatchObject({
      status: 'WARNING',
      message: '1 request(s) waiting longer than 1.0 d: #1 CLIENT_REGISTRATION_REQUEST from DEV:GOV:1:SS1 (2.0 d)',
    });
  });
});

describe('thresholds', () => {
  it('durations, overrides and their errors', () => {
    expect([parseDuration('90', 'x'), parseDuration('10m', 'x'), parseDuration('2h', 'x'), parseDuration('1d', 'x'), parseDuration(5, 'x')]).toEqual([
      90, 600, 7200, 86400, 5,
    ]);
    expect(() => parseDuration('soon', 'x')).toThrow(/not a duration/);
    expect(applyOverrides(t, { warnDays: '45', requestAge: '2d', minimumVersion: '7.6.0' }, 'flags')).toMatchObject({
      warnDays: 45,
      requestAge: 172800,
      minimumVersion: '7.6.0',
    });
    expect(() => applyOverrides(t, { nope: 1 }, 'flags')).toThrow(/unknown threshold 'nope'/);
    expect(() => applyOverrides(t, { critDays: 40 }, 'flags')).toThrow(/critDays \(40\) is above warnDays \(30\)/);
    expect([versionBelow('7.5.1-1.ubuntu22.04', '7.6'), versionBelow('7.8.1 (xrdctl sandbox)', '7.6.0'), versionBelow('7.6.0', '7.6.0')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('renderers', () => {
  const report: HealthReport = {
    status: 'CRITICAL',
    checkedAt: NOW.toISOString(),
    servers: [
      {
        server: 'ss "1"',
        kind: 'security',
        status: 'CRITICAL',
        reached: true,
        durationMs: 120,
        checks: [
          {
            name: 'auth-cert',
            group: 'certificates',
            status: 'CRITICAL',
            message: 'a | b\nc',
            remedy: 'fix = it',
            perfdata: [{ label: "auth-cert days='x'", value: 3, warn: '30:', crit: '7:' }],
          },
          {
            name: 'globalconf',
            group: 'globalconf',
            status: 'OK',
            message: 'ok',
            remedy: '',
            perfdata: [{ label: 'globalconf age', value: 1.5, uom: 's', warn: '120', crit: '600', min: 0 }],
          },
        ],
        certificates: [
          {
            usage: 'auth',
            hash: 'AB',
            ownerId: null,
            status: 'REGISTERED',
            active: true,
            ocspStatus: 'OCSP_RESPONSE_GOOD',
            notAfter: days(3),
            daysLeft: 3,
            daysToExpiry: 3.25,
            counts: true,
            severity: 'CRITICAL',
            reason: 'x',
          },
        ],
      },
      {
        server: 'gone',
        kind: 'security',
        status: 'UNKNOWN',
        reached: false,
        durationMs: 5,
        checks: [{ name: 'reachability', group: 'connection', status: 'UNKNOWN', message: 'refused', remedy: 'start it' }],
        certificates: [],
      },
    ],
  };
  it('nagios: one status line in the plugin grammar, then the details', () => {
    const out = nagiosHealth(report).split('\n');
    expect(out[0]).toMatch(NAGIOS_LINE);
    expect(out[0]).toContain('\'ss "1" auth-cert days__x_\'=3;30:;7:');
    expect(out[0]).toContain('\'ss "1" globalconf age\'=1.5s;120;600;0');
    // worst first, by the exit-code rank (UNKNOWN 3 above CRITICAL 2)
    expect(out.slice(1)).toEqual(['UNKNOWN: gone reachability: refused / remedy: start it', 'CRITICAL: ss "1" auth-cert: a / b c / remedy: fix = it']);
    expect(perfString('s', { label: 'x', value: 1 })).toBe("'s x'=1");
  });
  it('prometheus: parses, escapes labels, a gauge per check, days per certificate, scrape success per server', () => {
    const text = prometheusHealth(report);
    const fams = parsePrometheus(text);
    const get = (name: string) => fams.find((f) => f.name === name)!.metrics;
    expect(get('xrdctl_health_check_status')).toContainEqual({ labels: { server: 'ss "1"', check: 'auth-cert', group: 'certificates' }, value: '2' });
    expect(get('xrdctl_certificate_expiry_days')[0]).toMatchObject({ value: '3.25', labels: { counts: 'true', usage: 'auth' } });
    expect(get('xrdctl_health_scrape_success').map((m) => m.value)).toEqual(['1', '0']);
    expect(text.endsWith('\n')).toBe(true);
  });
});
