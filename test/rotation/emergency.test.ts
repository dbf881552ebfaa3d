import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbook } from '../../src/rotation/steps.js';
import type { SandboxEnv } from '../support/sandbox.js';
import { certShape, killAfterEveryStep, sandboxWithCertificates } from './support.js';

const acme = ['--adapter', 'server-acme', '--ca', 'Sandbox CA', '--timeout', '60'];

describe('emergency rotation: cut-off, SIGKILL after every step, --cut-now, a renewal the server did itself', () => {
  let E: SandboxEnv;
  beforeAll(async () => {
    ({ E } = await sandboxWithCertificates());
  }, 120_000);
  afterAll(async () => E?.stop());

  const reference = ['auth REGISTERED active OCSP_RESPONSE_GOOD', 'sign REGISTERED active OCSP_RESPONSE_GOOD'];

  it('an emergency auth rotation cuts the old certificate off: disabled, unregistered, gone from the central server, key deleted', async () => {
    const r = await E.run(['rotate', 'auth', '-c', 'ss1', '--emergency', ...acme, '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.steps.map((s: any) => `${s.name}:${s.status}`)).toEqual([
      'new-key:done',
      'ca:done',
      'import:done',
      'register:done',
      'approve:done',
      'wait-registered:done',
      'activate:done',
      'verify:done',
      'disable-old:done',
      'unregister-old:done',
      'cs-delete-old:done',
      'revoke-old:skipped',
      'delete-old:done',
    ]);
    expect(await certShape(E, 'ss1')).toEqual(reference);
    const cs = (await E.run(['cs', 'request', 'list', '-c', 'cs', '--json'])).json();
    expect(cs.requests.some((q: any) => q.type === 'AUTH_CERT_DELETION_REQUEST')).toBe(true);
  });

  it('SIGKILL right after every step of the emergency runbook, each time resumed: the same end state', async () => {
    const steps = runbook({ usage: 'auth', mode: 'emergency', cutNow: false });
    const { killed } = await killAfterEveryStep(E, ['rotate', 'auth', '-c', 'ss1', '--emergency', ...acme, '--yes', '--json'], 'ss1', steps);
    console.log(`emergency rotation crash points: ${killed.length} of ${steps.length} steps killed and resumed`);
    expect(await certShape(E, 'ss1')).toEqual(reference);
    expect(E.sb.outages().filter((o) => o.server === 'ss1')).toEqual([]);
  }, 240_000);

  it('--cut-now needs the typed consent off a terminal, then disables the old certificate first', async () => {
    const refused = await E.run(['rotate', 'auth', '-c', 'ss2', '--emergency', '--cut-now', ...acme, '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--i-understand-downtime/);
    const noEmergency = await E.run(['rotate', 'auth', '-c', 'ss2', '--cut-now', ...acme, '--yes']);
    expect(noEmergency.exitCode).toBe(2);
    const r = await E.run(['rotate', 'auth', '-c', 'ss2', '--emergency', '--cut-now', ...acme, '--yes', '--i-understand-downtime', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.steps[0]).toMatchObject({ name: 'cut-old', status: 'done' });
    expect(await certShape(E, 'ss2')).toEqual(reference);
    // --cut-now is the one runbook that takes the server off the exchange: the referee records it, closed
    const cut = E.sb.outages().filter((o) => o.server === 'ss2');
    expect(cut.map((o) => [o.kind, o.to !== null])).toEqual([['auth', true]]);
  });

  it('a renewal the server already did (a newer working certificate beside the due one) is noticed: only the cleanup runs', async () => {
    // the server renewed it by itself: a second auth certificate, registered and active, with a later expiry
    const key = (await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--json'])).json();
    E.sb.clock.advance(86_400_000);
    expect((await E.run(['csr', 'submit', '-c', 'ss1', '--key', key.keyId, '--adapter', 'server-acme', '--ca', 'Sandbox CA', '--json'])).exitCode).toBe(0);
    const hash = (await E.run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates.find((c: any) => c.usage === 'auth' && c.status === 'SAVED').hash;
    expect((await E.run(['cert', 'register', '-c', 'ss1', hash, '--approve', '--activate'])).exitCode).toBe(0);
    E.sb.clearRequests();
    const r = await E.run(['rotate', 'auth', '-c', 'ss1', ...acme, '--propagation', '0', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.new).toMatchObject({ hash, renewedByServer: true });
    expect(j.steps.filter((s: any) => ['new-key', 'ca', 'import'].includes(s.name)).map((s: any) => s.status)).toEqual(['skipped', 'skipped', 'skipped']);
    // no second renewal: no new key, no ACME order
    expect(E.sb.requests().filter((q) => q.write && /keys-with-csrs|acme-order/.test(q.path))).toEqual([]);
    expect(await certShape(E, 'ss1')).toEqual(['auth DELETION_IN_PROGRESS inactive DISABLED', ...reference].sort());
  });
});
