/** The rehearsal referee (src/sandbox/outages.ts): intervals without a working auth cert per server and sign cert per member. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Outage, type SandboxHandle } from '../../src/sandbox/index.js';
import { writeDaemonFiles } from '../../src/sandbox/daemon.js';
import { runCli, tempConfigDir } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';
import { closeAgents, until } from './helpers.js';
import { approveWaiting, keyCsrSignImport, registeredServer, ssApi } from './scenario.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ securityServers: 3, gcIntervalMs: 100, rateLimit: false });
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

const of = (server: string, kind?: Outage['kind']) => sb.outages().filter((o) => o.server === server && (!kind || o.kind === kind));

/** a new auth cert, registered, approved, REGISTERED through globalconf, activated: the safe first half of A1–A8 */
async function newWorkingAuth(i: number): Promise<string> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  const fresh = await keyCsrSignImport(sb, i, 'AUTHENTICATION');
  expect((await api('PUT', `/token-certificates/${fresh.hash}/register`, { address: ss.address })).status).toBeLessThan(300);
  await approveWaiting(sb, 'AUTH_CERT_REGISTRATION_REQUEST');
  await until(
    () => api('GET', `/token-certificates/${fresh.hash}`),
    (r) => r.json?.status === 'REGISTERED',
  );
  expect((await api('PUT', `/token-certificates/${fresh.hash}/activate`)).status).toBe(204);
  await sb.waitForGlobalConf();
  return fresh.hash;
}

describe('outage record', () => {
  it('a fresh server is no outage; the normal lifecycle to a working server records none', async () => {
    expect(sb.outages()).toEqual([]);
    await registeredServer(sb, 0);
    await sb.waitForGlobalConf();
    expect(sb.outages()).toEqual([]);
  });

  it('disabling the only auth cert opens an auth outage; a new working cert closes it', async () => {
    const ss = sb.ss[0]!;
    const api = ssApi(ss);
    const tokens = (await api('GET', '/tokens')).json;
    const auth = tokens[0].keys.find((k: { usage?: string }) => k.usage === 'AUTHENTICATION').certificates[0].certificate_details.hash as string;
    const t0 = sb.clock.now().getTime();
    expect((await api('PUT', `/token-certificates/${auth}/disable`)).status).toBe(204);
    const open = of('ss1');
    expect(open).toEqual([{ server: 'ss1', kind: 'auth', from: expect.any(String), to: null }]);
    expect(Date.parse(open[0]!.from)).toBeGreaterThanOrEqual(t0 - 5);
    expect(of('ss1')).toHaveLength(1); // further writes do not open a second one
    // registering an auth cert needs no working one (the first registration of a server neither): a new one ends the outage
    await newWorkingAuth(0);
    const closed = of('ss1');
    expect(closed).toHaveLength(1);
    expect(closed[0]!.to).not.toBeNull();
    expect(Date.parse(closed[0]!.to!)).toBeGreaterThanOrEqual(Date.parse(closed[0]!.from));
  });

  it('a rotation in the safe order (new registered+active before the old is disabled) records nothing', async () => {
    const ss = sb.ss[1]!;
    const api = ssApi(ss);
    const { authHash: oldAuth, signHash: oldSign } = await registeredServer(sb, 1);
    await sb.waitForGlobalConf();
    // sign S1–S5: the new sign cert works before the old one is disabled
    const newSign = await keyCsrSignImport(sb, 1, 'SIGNING', ss.ownerId);
    expect((await api('GET', `/token-certificates/${newSign.hash}`)).json).toMatchObject({ active: true, status: 'REGISTERED' });
    expect((await api('PUT', `/token-certificates/${oldSign}/disable`)).status).toBe(204);
    // auth A1–A11
    await newWorkingAuth(1);
    expect((await api('PUT', `/token-certificates/${oldAuth}/disable`)).status).toBe(204);
    expect((await api('PUT', `/token-certificates/${oldAuth}/unregister`)).status).toBe(204);
    await sb.waitForGlobalConf();
    expect(of('ss2')).toEqual([]);
    // the unsafe order would have shown: disabling the last sign cert is a sign outage of the owner
    expect((await api('PUT', `/token-certificates/${newSign.hash}/disable`)).status).toBe(204);
    expect(of('ss2', 'sign')).toEqual([{ server: 'ss2', member: ss.ownerId, kind: 'sign', from: expect.any(String), to: null }]);
    expect((await api('PUT', `/token-certificates/${newSign.hash}/activate`)).status).toBe(204);
    expect(of('ss2', 'sign')[0]!.to).not.toBeNull();
  });

  it('a token logout is an auth and a sign outage until the login', async () => {
    const ss = sb.ss[1]!;
    const api = ssApi(ss);
    const before = sb.outages().length;
    expect((await api('PUT', '/tokens/0/logout')).status).toBe(200);
    const added = sb.outages().slice(before);
    expect(added.map((o) => [o.server, o.kind, o.member, o.to])).toEqual(
      expect.arrayContaining([
        ['ss2', 'auth', undefined, null],
        ['ss2', 'sign', ss.ownerId, null],
      ]),
    );
    expect(added).toHaveLength(2);
    expect((await api('PUT', '/tokens/0/login', { password: ss.tokenPin })).status).toBe(200);
    expect(
      sb
        .outages()
        .slice(before)
        .every((o) => o.to !== null),
    ).toBe(true);
  });

  it('a revoked sign cert is a sign outage once OCSP answers REVOKED', async () => {
    const ss = sb.ss[2]!;
    const api = ssApi(ss);
    const { signHash } = await registeredServer(sb, 2);
    await sb.waitForGlobalConf();
    expect(of('ss3')).toEqual([]);
    expect(sb.ca.revoke(signHash)).toBe(true);
    const cert = await api('GET', `/token-certificates/${signHash}`);
    expect(cert.json.ocsp_status).toBe('OCSP_RESPONSE_REVOKED');
    expect(of('ss3')).toEqual([{ server: 'ss3', member: ss.ownerId, kind: 'sign', from: expect.any(String), to: null }]);
    // the auth cert still works
    expect(of('ss3', 'auth')).toEqual([]);
  });

  it('an expired auth cert is an outage at the sandbox time the clock reached', async () => {
    const start = sb.clock.now();
    sb.clock.advance(400 * 86_400_000);
    const expired = sb.outages().filter((o) => o.kind === 'auth' && o.to === null);
    expect(expired.map((o) => o.server).sort()).toEqual(['ss1', 'ss2', 'ss3']);
    for (const o of expired) expect(Date.parse(o.from) - start.getTime()).toBeGreaterThanOrEqual(399 * 86_400_000);
    sb.clock.set(new Date());
    expect(sb.outages().filter((o) => o.kind === 'auth' && o.to === null)).toEqual([]);
  });

  it('xrdctl sandbox status --json shows the record, from the running sandbox and from the persisted state', async () => {
    writeDaemonFiles(sb);
    const cfg = tempConfigDir();
    const st = await runCli(['sandbox', 'status', '--json', '--dir', sb.dir], { configDir: cfg });
    expect(st.exitCode, st.stderr).toBe(0);
    await expectConforms('sandbox:status', st.json());
    expect(st.json().running).toBe(true);
    expect(st.json().outages).toEqual(sb.outages());
    expect(st.json().outages.length).toBeGreaterThan(3);
    const human = await runCli(['sandbox', 'status', '--dir', sb.dir], { configDir: cfg });
    expect(human.stdout).toMatch(/outages: \d+/);
    expect(human.stdout).toMatch(/ss3\s+sign\s+DEV:GOV:1003/);
  });

  it('the record survives a restart; the restart itself (tokens back logged out) is an outage', async () => {
    const recorded = sb.outages();
    await sb.stop();
    rmSync(join(sb.dir, 'sandbox.json')); // as the daemon does when it stops
    const stopped = await runCli(['sandbox', 'status', '--json', '--dir', sb.dir], { configDir: tempConfigDir() });
    expect(stopped.json()).toMatchObject({ running: false, outages: recorded });
    sb = await startSandbox({ dir: sb.dir, gcIntervalMs: 100, rateLimit: false });
    const after = sb.outages();
    expect(after.slice(0, recorded.length)).toEqual(recorded);
    const fresh = after.slice(recorded.length);
    expect(
      fresh
        .filter((o) => o.kind === 'auth')
        .map((o) => o.server)
        .sort(),
    ).toEqual(['ss1', 'ss2', 'ss3']);
    expect(fresh.every((o) => o.to === null)).toBe(true);
  });
});
