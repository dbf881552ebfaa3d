/**
 * xrdctl health against the sandbox, run as users run it: every check made to fail on purpose, with
 * its status, message, remedy, the exit code and every output format asserted.
 */
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContext } from '../../src/config/context-ops.js';
import { ssApi } from '../sandbox/scenario.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { NAGIOS_LINE, approveFor, authWithValidity, checkOf, csCall, loginToken, workingServer } from './support.js';

let E: SandboxEnv;
const outputs: string[] = [];
let ss1: { authHash: string; signHash: string };
let ss2: { authHash: string; signHash: string };
let declinedHash = '';
let closedPort = 0;

async function health(args: string[], env?: Record<string, string>) {
  const r = await E.run(['health', ...args], { env });
  outputs.push(r.stdout, r.stderr);
  return r;
}
async function healthJson(args: string[], env?: Record<string, string>) {
  const r = await health([...args, '--json'], env);
  return { ...r, doc: r.json() };
}

/** every format of the same state: nagios line grammar, prometheus parses, json, human */
async function allFormats(args: string[], expectExit: number) {
  // one after the other: the admin API limits each client to 20 requests/s
  const human = await health(args);
  const nagios = await health([...args, '--format', 'nagios']);
  const prom = await health([...args, '--format', 'prometheus']);
  const json = await healthJson(args);
  for (const r of [human, nagios, prom, json]) expect(r.exitCode, `${r.stderr}${r.stdout}`).toBe(expectExit);
  const first = nagios.stdout.split('\n')[0]!;
  expect(first).toMatch(NAGIOS_LINE);
  const families = parsePrometheus(prom.stdout) as Array<{ name: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;
  expect(families.map((f) => f.name)).toEqual(expect.arrayContaining(['xrdctl_health_status', 'xrdctl_health_check_status', 'xrdctl_health_scrape_success']));
  for (const f of families) expect(f.type).toBe('GAUGE');
  return { human, nagios, prom, families, doc: json.doc };
}

const gauge = (fams: any[], name: string, labels: Record<string, string>) =>
  fams.find((f) => f.name === name)?.metrics.find((m: any) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

beforeAll(async () => {
  E = await sandboxWithContexts({ securityServers: 4 });
  [ss1, ss2] = await Promise.all([workingServer(E.sb, 0), workingServer(E.sb, 1)]);
  // ss3: a registration left waiting at the CS; ss4: a registration the CS declines
  await loginToken(E.sb, 2);
  const s3 = await authWithValidity(E.sb, 2, 365);
  await loginToken(E.sb, 3);
  declinedHash = await authWithValidity(E.sb, 3, 365);
  const api3 = ssApi(E.sb.ss[2]!),
    api4 = ssApi(E.sb.ss[3]!);
  // a registration is signed with the owner's sign certificate: both need one first
  const { keyCsrSignImport } = await import('../sandbox/scenario.js');
  await keyCsrSignImport(E.sb, 2, 'SIGNING', E.sb.ss[2]!.ownerId);
  await keyCsrSignImport(E.sb, 3, 'SIGNING', E.sb.ss[3]!.ownerId);
  expect((await api3('PUT', `/token-certificates/${s3}/register`, { address: E.sb.ss[2]!.address })).status).toBe(204);
  expect((await api4('PUT', `/token-certificates/${declinedHash}/register`, { address: E.sb.ss[3]!.address })).status).toBe(204);
  const waiting = await csCall(E.sb, 'GET', '/management-requests?status=WAITING&types=AUTH_CERT_REGISTRATION_REQUEST&limit=10');
  const mine = waiting.json.items.find((r: any) => r.security_server_id.encoded_id === E.sb.ss[3]!.serverId);
  expect((await csCall(E.sb, 'DELETE', `/management-requests/${mine.id}`)).status).toBeLessThan(300);
  // contexts that cannot work: a closed port, a wrong pin, an unset secret; and an observer-only key
  const env = { XRDCTL_CONFIG_DIR: E.configDir } as NodeJS.ProcessEnv;
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const obsKey = join(E.work, 'keys', 'observer.key');
  writeFileSync(obsKey, E.sb.ss[0]!.apiKeys.XROAD_SECURITYSERVER_OBSERVER!, { mode: 0o600 });
  E.secrets.push(E.sb.ss[0]!.apiKeys.XROAD_SECURITYSERVER_OBSERVER!);
  const ss1Key = join(E.work, 'keys', 'ss1.key');
  await addContext(
    { name: 'gone', kind: 'security', url: `https://127.0.0.1:${closedPort}/api/v1`, apiKey: `file:${ss1Key}`, tlsFingerprint: E.sb.ss[0]!.fingerprint },
    { env },
  );
  await addContext({ name: 'badpin', kind: 'security', url: E.sb.ss[0]!.url, apiKey: `file:${ss1Key}`, tlsFingerprint: E.sb.cs.fingerprint }, { env });
  await addContext(
    { name: 'nosecret', kind: 'security', url: E.sb.ss[0]!.url, apiKey: 'env:XRD_HEALTH_TEST_UNSET', tlsFingerprint: E.sb.ss[0]!.fingerprint },
    { env },
  );
  await addContext({ name: 'observer', kind: 'security', url: E.sb.ss[0]!.url, apiKey: `file:${obsKey}`, tlsFingerprint: E.sb.ss[0]!.fingerprint }, { env });
}, 120_000);

afterAll(async () => {
  await E?.stop();
  // no API key, PIN or control token in anything the CLI printed
  for (const s of E?.secrets ?? []) for (const o of outputs) expect(o.includes(s), 'a secret leaked into output').toBe(false);
});

describe('xrdctl health', () => {
  it('a working server is OK in every format, exit 0; an observer-only key is enough', async () => {
    const f = await allFormats(['-c', 'ss1'], 0);
    expect(f.doc.status).toBe('OK');
    const names = f.doc.servers[0].checks.map((c: any) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'reachability',
        'tls',
        'api-key',
        'version',
        'initialization',
        'maintenance-mode',
        'token 0',
        'auth-cert',
        'sign-cert DEV:GOV:1001',
        'globalconf',
        'globalconf-urls',
        'ocsp xrdctl Sandbox CA',
        'timestamping',
        'auth-cert-req-status',
        'clients',
        'proxy-memory',
      ]),
    );
    for (const c of f.doc.servers[0].checks) expect(c.status, `${c.name}: ${c.message}`).toBe('OK');
    expect(f.nagios.stdout).toMatch(/^XRDCTL OK - 1 server\(s\) OK \| .*'ss1 auth-cert days'=36[45];30:;7:/);
    expect(f.human.stdout).toMatch(/^OK: 1 server\(s\): 1 OK/);
    expect(gauge(f.families, 'xrdctl_certificate_expiry_days', { server: 'ss1', usage: 'auth', counts: 'true' })).toMatch(/^36[45](\.\d+)?$/);
    expect(gauge(f.families, 'xrdctl_health_scrape_success', { server: 'ss1' })).toBe('1');
    const obs = await healthJson(['-c', 'observer']);
    expect(obs.exitCode, obs.stderr).toBe(0);
    expect(checkOf(obs.doc, 'observer', 'api-key')).toMatchObject({ status: 'OK' });
  });

  it('a certificate 3 days from expiry (sandbox clock) is CRITICAL, WARNING with --crit-days 2, and from a manifest threshold', async () => {
    const before = await healthJson(['-c', 'ss1', '--only', 'certificates']);
    const auth = before.doc.servers[0].certificates.find((c: any) => c.hash === ss1.authHash);
    E.sb.clock.set(new Date(Date.parse(auth.notAfter) - 3.5 * 86_400_000));
    try {
      const f = await allFormats(['-c', 'ss1', '--only', 'certificates'], 2);
      const c = checkOf(f.doc, 'ss1', 'auth-cert');
      expect(c).toMatchObject({ status: 'CRITICAL' });
      expect(c.message).toMatch(/in use: REGISTERED, active, OCSP GOOD, 3 days left/);
      expect(c.remedy).toMatch(/xrdctl csr create -c ss1 --usage auth/);
      expect(c.perfdata[0]).toMatchObject({ value: 3, warn: '30:', crit: '7:' });
      expect(f.nagios.stdout).toMatch(/^XRDCTL CRITICAL - 1 of 1 server\(s\) not OK: ss1 CRITICAL \(auth-cert: .*3 days left/);
      expect(f.human.stdout).toMatch(/ss1\s+auth-cert\s+CRITICAL\s+.*3 days left/);
      expect(f.human.stdout).toMatch(/To fix:\n.*ss1 auth-cert: bring a new auth certificate/);
      expect(Number(gauge(f.families, 'xrdctl_certificate_expiry_days', { server: 'ss1', usage: 'auth' }))).toBeCloseTo(3.5, 0);
      const warn = await healthJson(['-c', 'ss1', '--only', 'certificates', '--crit-days', '2']);
      expect(warn.exitCode).toBe(1);
      expect(checkOf(warn.doc, 'ss1', 'auth-cert').status).toBe('WARNING');
      const m = join(E.work, 'health.yaml');
      const ss = E.sb.ss[0]!;
      writeFileSync(
        m,
        `apiVersion: xrdctl/v1\ninstance: DEV\nhealth: { critDays: 2, warnDays: 10 }\nsecurityServers:\n  - name: ss1\n    url: ${ss.url}\n    apiKey: { file: ${join(E.work, 'keys', 'ss1.key')} }\n    tlsFingerprint: "${ss.fingerprint}"\n    id: ${ss.serverId}\n`,
      );
      const man = await healthJson(['-f', m, '--only', 'certificates']);
      expect(man.exitCode, man.stderr).toBe(1);
      expect(checkOf(man.doc, 'ss1', 'auth-cert').perfdata[0]).toMatchObject({ warn: '10:', crit: '2:' });
    } finally {
      E.sb.clock.set(new Date());
    }
  });

  it('with -f, every declared client and service description must exist, be registered and enabled', async () => {
    const ss = E.sb.ss[0]!;
    const m = join(E.work, 'declared.yaml');
    writeFileSync(
      m,
      [
        'apiVersion: xrdctl/v1',
        'instance: DEV',
        'securityServers:',
        '  - name: ss1',
        `    url: ${ss.url}`,
        `    apiKey: { file: ${join(E.work, 'keys', 'ss1.key')} }`,
        `    tlsFingerprint: "${ss.fingerprint}"`,
        `    id: ${ss.serverId}`,
        '    clients:',
        `      - id: "${ss.ownerId}"`,
        '      - id: "DEV:GOV:1001:MISSING"',
        '        serviceDescriptions:',
        '          - { type: OPENAPI3, url: https://missing.example.org/openapi.yaml, restServiceCode: m, services: [{ code: m }] }',
        '',
      ].join('\n'),
    );
    const r = await healthJson(['-f', m, '--only', 'clients']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(checkOf(r.doc, 'ss1', `declared ${ss.ownerId}`)).toMatchObject({ status: 'OK' });
    expect(checkOf(r.doc, 'ss1', 'declared DEV:GOV:1001:MISSING')).toMatchObject({
      status: 'WARNING',
      message: 'declared in the manifest but missing on the server',
      remedy: 'xrdctl apply MANIFEST',
    });
    // colour comes from the output layer's decisions: forced on, or off with NO_COLOR
    const colored = await health(['-f', m, '--only', 'clients'], { FORCE_COLOR: '1' });
    expect(colored.stdout).toContain('\u001b[33mWARNING');
    const plain = await health(['-f', m, '--only', 'clients'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('a revoked auth certificate: no working one, CRITICAL with the renewal remedy', async () => {
    expect(E.sb.ca.revoke(ss2.authHash)).toBe(true);
    const f = await allFormats(['-c', 'ss2', '--only', 'certificates'], 2);
    const c = checkOf(f.doc, 'ss2', 'auth-cert');
    expect(c.status).toBe('CRITICAL');
    expect(c.message).toBe(`no working auth certificate: ${ss2.authHash.slice(0, 16)} is REVOKED by its CA (OCSP)`);
    expect(c.remedy).toMatch(/^the CA revoked it: bring a new auth certificate to REGISTERED and active: xrdctl csr create -c ss2/);
    expect(f.doc.servers[0].certificates.find((x: any) => x.hash === ss2.authHash)).toMatchObject({
      counts: true,
      severity: 'CRITICAL',
      ocspStatus: 'OCSP_RESPONSE_REVOKED',
    });
  });

  it('after a rotation the old certificate is informational: a new working one makes it OK again', async () => {
    const api = ssApi(E.sb.ss[1]!);
    const fresh = await authWithValidity(E.sb, 1, 200);
    expect((await api('PUT', `/token-certificates/${fresh}/register`, { address: E.sb.ss[1]!.address })).status).toBe(204);
    const { until } = await import('../sandbox/helpers.js');
    await approveFor(E.sb, E.sb.ss[1]!.serverId!);
    await until(
      () => api('GET', `/token-certificates/${fresh}`),
      (r) => r.json?.status === 'REGISTERED',
    );
    expect((await api('PUT', `/token-certificates/${fresh}/activate`)).status).toBe(204);
    const r = await healthJson(['-c', 'ss2', '--only', 'certificates']);
    const c = checkOf(r.doc, 'ss2', 'auth-cert');
    expect(c.message).toMatch(new RegExp(`^${fresh.slice(0, 16)} in use`));
    // the revoked old one is still active: a WARNING to disable it, not a CRITICAL
    expect(checkOf(r.doc, 'ss2', 'auth-cert-revoked')).toMatchObject({
      status: 'WARNING',
      remedy: `disable it: xrdctl cert disable -c ss2 ${ss2.authHash.slice(0, 16)}`,
    });
    expect((await api('PUT', `/token-certificates/${ss2.authHash}/disable`)).status).toBe(204);
    const after = await healthJson(['-c', 'ss2', '--only', 'certificates']);
    expect(after.exitCode, JSON.stringify(after.doc)).toBe(0);
    expect(after.doc.servers[0].certificates.find((x: any) => x.hash === ss2.authHash)).toMatchObject({ counts: false, severity: 'OK' });
  });

  it('a logged-out token is CRITICAL with the login remedy; its certificates cannot be used', async () => {
    expect((await ssApi(E.sb.ss[0]!)('PUT', '/tokens/0/logout')).status).toBe(200);
    try {
      const f = await allFormats(['-c', 'ss1', '--only', 'token', '--only', 'certificates'], 2);
      expect(checkOf(f.doc, 'ss1', 'token 0')).toMatchObject({
        status: 'CRITICAL',
        message: 'softToken-0 is logged out: its keys (auth and sign) cannot be used',
        remedy: 'xrdctl token login -c ss1 --token 0',
      });
      expect(checkOf(f.doc, 'ss1', 'auth-cert').message).toMatch(/its token 0 is logged out/);
      expect(f.nagios.stdout.split('\n')).toContain(
        'CRITICAL: ss1 token 0: softToken-0 is logged out: its keys (auth and sign) cannot be used / remedy: xrdctl token login -c ss1 --token 0',
      );
      expect(gauge(f.families, 'xrdctl_health_check_status', { server: 'ss1', check: 'token 0' })).toBe('2');
    } finally {
      await loginToken(E.sb, 0);
    }
  });

  it('a stale global configuration is CRITICAL once older than 600 s', async () => {
    E.sb.globalConf.setDownloadFailing('ss1', true);
    try {
      E.sb.clock.advance(700_000);
      const f = await allFormats(['-c', 'ss1', '--only', 'globalconf'], 2);
      const c = checkOf(f.doc, 'ss1', 'globalconf');
      expect(c.status).toBe('CRITICAL');
      expect(c.message).toMatch(/^status FAIL: conf_download_failed .*last update 1[12] min ago$/);
      expect(c.remedy).toMatch(/expired: the SS refuses to work/);
      expect(checkOf(f.doc, 'ss1', 'globalconf-urls')).toMatchObject({ status: 'CRITICAL' });
      expect(f.nagios.stdout).toMatch(/'ss1 globalconf age'=7\d\ds;120;600;0/);
      // thresholds by flag
      const lenient = await healthJson(['-c', 'ss1', '--only', 'globalconf', '--threshold', 'gcAgeCrit=2h', '--threshold', 'gcAgeWarn=1h']);
      expect(checkOf(lenient.doc, 'ss1', 'globalconf').perfdata[0]).toMatchObject({ warn: '3600', crit: '7200' });
    } finally {
      E.sb.globalConf.setDownloadFailing('ss1', false);
      E.sb.clock.set(new Date());
    }
  });

  it('a failing OCSP responder is CRITICAL when it is the only one of its CA', async () => {
    E.sb.ocsp.setFailing('Sandbox CA', true);
    try {
      const f = await allFormats(['-c', 'ss1', '--only', 'ocsp'], 2);
      const c = checkOf(f.doc, 'ss1', 'ocsp xrdctl Sandbox CA');
      expect(c.status).toBe('CRITICAL');
      expect(c.message).toMatch(/^all 1 responder\(s\) fail, failing for \d+ s: http:\/\/127\.0\.0\.1:\d+\/sandbox-ca ocsp_request_failed/);
      expect(c.remedy).toMatch(/check the responder .*ocspFreshnessSeconds/);
      expect(checkOf(f.doc, 'ss1', 'ocsp xrdctl Sandbox Basic CA').status).toBe('OK');
    } finally {
      E.sb.ocsp.setFailing('Sandbox CA', false);
    }
  });

  it('a declined registration (the SS is never told) is CRITICAL with the recovery remedy', async () => {
    const f = await allFormats(['-c', 'ss4', '--only', 'certificates'], 2);
    const c = checkOf(f.doc, 'ss4', 'auth-cert');
    expect(c.status).toBe('CRITICAL');
    expect(c.message).toMatch(
      new RegExp(`^no working auth certificate: ${declinedHash.slice(0, 16)}: registration request #\\d+ was DECLINED at the central server`),
    );
    expect(c.remedy).toMatch(/mark .* for deletion .*xrdctl cert delete -c ss4/);
  });

  it('a management request waiting two days is a WARNING at the CS; --request-age 3d makes it OK', async () => {
    E.sb.clock.advance(2 * 86_400_000 + 60_000);
    try {
      const f = await allFormats(['-c', 'cs'], 1);
      const c = checkOf(f.doc, 'cs', 'management-requests');
      expect(c.status).toBe('WARNING');
      expect(c.message).toMatch(/^1 request\(s\) waiting longer than 1\.0 d: #\d+ AUTH_CERT_REGISTRATION_REQUEST from DEV:GOV:1003:SS3 \(2\.0 d\)$/);
      expect(c.remedy).toBe('review them: xrdctl cs request list -c cs --status WAITING, then xrdctl cs request approve|decline ID');
      const ok = await healthJson(['-c', 'cs', '--request-age', '3d']);
      expect(ok.exitCode).toBe(0);
      // the SS side of the same request: waiting longer than an hour
      const s3 = await healthJson(['-c', 'ss3', '--only', 'certificates']);
      expect(checkOf(s3.doc, 'ss3', 'auth-cert').message).toMatch(/registration request #\d+ WAITING at the central server for 2\.0 d/);
    } finally {
      E.sb.clock.set(new Date());
    }
  });

  it('an unreachable port, a wrong pin and an unresolvable secret are rows; the other servers are still checked', async () => {
    const f = await allFormats(['-c', 'gone', '-c', 'badpin', '-c', 'nosecret', '-c', 'ss1'], 3);
    expect(checkOf(f.doc, 'gone', 'reachability')).toMatchObject({
      status: 'UNKNOWN',
      message: `cannot reach it: gone step get-version: connection refused by 127.0.0.1:${closedPort}`,
    });
    expect(checkOf(f.doc, 'gone', 'reachability').remedy).toMatch(/is the server running and the URL right\?/);
    const tls = checkOf(f.doc, 'badpin', 'tls');
    expect(tls.status).toBe('CRITICAL');
    expect(tls.message).toMatch(/^badpin: TLS certificate fingerprint mismatch: expected [0-9A-F:]{95}, server presented [0-9A-F:]{95}$/);
    expect(tls.remedy).toMatch(/re-pin: xrdctl context add badpin … --tls-fingerprint NEW --overwrite/);
    expect(checkOf(f.doc, 'nosecret', 'api-key')).toMatchObject({
      status: 'UNKNOWN',
      message: 'the API key cannot be read: context nosecret api key: environment variable XRD_HEALTH_TEST_UNSET is not set',
    });
    expect(f.doc.servers.find((s: any) => s.server === 'ss1').status).toBe('OK');
    expect(gauge(f.families, 'xrdctl_health_scrape_success', { server: 'gone' })).toBe('0');
    expect(gauge(f.families, 'xrdctl_health_scrape_success', { server: 'ss1' })).toBe('1');
    expect(f.human.stdout).toMatch(/^UNKNOWN: 4 server\(s\): 1 CRITICAL, 2 UNKNOWN, 1 OK/);
    const alone = await healthJson(['-c', 'badpin']);
    expect(alone.exitCode).toBe(2);
  });

  it('a hanging server is UNKNOWN after --timeout and delays the report by no more than that', async () => {
    const t0 = Date.now();
    const base = await healthJson(['-c', 'ss1', '-c', 'ss3', '--timeout', '3']);
    const baseMs = Date.now() - t0;
    expect(checkOf(base.doc, 'ss3', 'reachability').status).toBe('OK');
    E.sb.faults.add({ server: 'ss3', operation: '*', hang: true });
    try {
      const t1 = Date.now();
      const r = await healthJson(['-c', 'ss1', '-c', 'ss3', '--timeout', '3']);
      const ms = Date.now() - t1;
      expect(r.exitCode).toBe(3);
      expect(checkOf(r.doc, 'ss3', 'reachability')).toMatchObject({
        status: 'UNKNOWN',
        // and what it waited on: the reads under way when the time ran out
        message: expect.stringMatching(/^no complete answer within 3 s \(the server is hung or very slow\); waiting on ss3 step [a-z-]+/),
      });
      expect(r.doc.servers.find((s: any) => s.server === 'ss1').status).toBe('OK');
      expect(ms - baseMs).toBeLessThan(3000 + 1500);
      expect(ms).toBeGreaterThanOrEqual(3000);
    } finally {
      E.sb.faults.clear('ss3');
    }
  });

  it('--watch reruns; a usage error exits 3 (UNKNOWN) as monitoring plugins do', async () => {
    const w = await health(['-c', 'ss1', '--watch', '1', '--count', '2', '--format', 'nagios']);
    expect(w.exitCode).toBe(0);
    expect(w.stdout.match(/^XRDCTL OK - /gm)).toHaveLength(2);
    const bad = await health(['-c', 'ss1', '--only', 'nonsense']);
    expect(bad.exitCode).toBe(3);
    const unknownCtx = await health(['-c', 'nope']);
    expect(unknownCtx.exitCode).toBe(3);
    expect(unknownCtx.stderr).toMatch(/unknown context 'nope'/);
  });
});

describe('xrdctl cert expiry', () => {
  it('follows the same classification, reports unreachable servers as rows and exits by the worst', async () => {
    const r = await E.run(['cert', 'expiry', '-c', 'ss4', '--json']);
    outputs.push(r.stdout, r.stderr);
    expect(r.exitCode).toBe(2);
    const doc = r.json();
    expect(doc.worst).toBe('CRITICAL');
    expect(doc.certificates.find((c: any) => c.hash === declinedHash)).toMatchObject({ severity: 'CRITICAL', counts: true });
    const all = await E.run(['cert', 'expiry', '--all-contexts', '--json']);
    outputs.push(all.stdout, all.stderr);
    expect(all.exitCode).toBe(3);
    const d = all.json();
    expect(d.servers.find((s: any) => s.server === 'gone')).toMatchObject({ ok: false, status: 'UNKNOWN' });
    expect(d.servers.find((s: any) => s.server === 'ss1')).toMatchObject({ ok: true, status: 'OK' });
    expect(d.servers.some((s: any) => s.server === 'cs')).toBe(false);
    const human = await E.run(['cert', 'expiry', '-c', 'gone', '-c', 'ss1', '--critical-days', '3']);
    outputs.push(human.stdout, human.stderr);
    expect(human.stdout).toMatch(/gone\s+-\s+.*UNKNOWN\s+cannot reach it/);
  });
});
