import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEnv } from '../support/sandbox.js';
import { rotationManifest as manifest, sandboxWithCertificates } from './support.js';

const fast = ['--propagation', '1', '--timeout', '60'];

describe('rotate auth|sign against the sandbox', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const certs = async (ctx: string) => (await E.run(['cert', 'list', '-c', ctx, '--json'])).json().certificates as any[];

  beforeAll(async () => {
    ({ E, env } = await sandboxWithCertificates());
  }, 120_000);
  afterAll(async () => E?.stop());

  it('routine auth rotation through a context: the new certificate works before the old one is retired', async () => {
    const before = (await certs('ss1')).find((c) => c.usage === 'auth' && c.active);
    const r = await E.run(['rotate', 'auth', '-c', 'ss1', '--adapter', 'server-acme', '--ca', 'Sandbox CA', ...fast, '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.json();
    expect(out.status).toBe('done');
    const j = out.rotations[0];
    expect(j.steps.map((s: any) => `${s.name}:${s.status}`)).toEqual([
      'new-key:done',
      'ca:done',
      'import:done',
      'register:done',
      'approve:done',
      'wait-registered:done',
      'activate:done',
      'verify:done',
      'propagate:done',
      'disable-old:done',
      'unregister-old:done',
      'delete-old:skipped',
    ]);
    const after = await certs('ss1');
    const newOne = after.find((c) => c.hash === j.new.hash);
    expect(newOne).toMatchObject({ usage: 'auth', status: 'REGISTERED', active: true, ocspStatus: 'OCSP_RESPONSE_GOOD' });
    expect(after.find((c) => c.hash === before.hash)).toMatchObject({ status: 'DELETION_IN_PROGRESS', active: false });
    const st = await E.runIn(['rotate', 'status', j.id, '--json']);
    expect(st.json().rotations[0].status).toBe('done');
    // the referee: the server never went without a working auth certificate
    const sandbox = await E.run(['sandbox', 'status', '--json']);
    expect(E.sb.outages()).toEqual([]);
    expect(sandbox.exitCode).toBe(0);
  });

  it('routine sign rotation from the manifest', async () => {
    const r = await E.run(['rotate', 'sign', '-f', manifest, '--server', 'ss2', '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j).toMatchObject({ server: 'ss2', usage: 'sign', member: 'DEV:GOV:1002', status: 'done' });
    const after = await certs('ss2');
    expect(after.find((c) => c.hash === j.new.hash)).toMatchObject({ usage: 'sign', active: true, ocspStatus: 'OCSP_RESPONSE_GOOD' });
    expect(after.find((c) => c.hash === j.old.hash)).toMatchObject({ active: false });
    expect(E.sb.outages()).toEqual([]);
  });

  it('off a terminal the irreversible steps need --yes; nothing is written without it', async () => {
    E.sb.clearRequests();
    const r = await E.run(['rotate', 'auth', '-c', 'ss2', '--adapter', 'server-acme', '--ca', 'Sandbox CA', ...fast]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(E.sb.requests().filter((x) => x.write)).toEqual([]);
  });
});

describe('declarative rotation: plan shows it, apply runs the runbook', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ E, env } = await sandboxWithCertificates());
  }, 120_000);
  afterAll(async () => E?.stop());

  it('a certificate within renewBeforeDays is a pending change (exit 4), and apply rotates it with a journal; the next plan is clean', async () => {
    E.sb.clock.advance(340 * 86_400_000);
    const plan = await E.run(['plan', manifest, '--detailed-exitcode'], { env });
    expect(plan.exitCode, plan.stderr).toBe(4);
    expect(plan.stdout).toMatch(/~ rotate auth certificate \(\d+ days left\)/);
    expect(plan.stdout).toMatch(/~ rotate sign certificate of DEV:GOV:1001 \(\d+ days left\)/);
    const r = await E.run(['apply', manifest, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().result.ok).toBe(true);
    const st = (await E.runIn(['rotate', 'status', '--json'])).json();
    expect(st.rotations.map((j: any) => `${j.server} ${j.usage} ${j.status}`).sort()).toEqual([
      'ss1 auth done',
      'ss1 sign done',
      'ss2 auth done',
      'ss2 sign done',
    ]);
    // sign ran before auth on each server (the registration is signed with the sign certificate)
    for (const s of ['ss1', 'ss2']) {
      const sign = st.rotations.find((j: any) => j.server === s && j.usage === 'sign');
      const auth = st.rotations.find((j: any) => j.server === s && j.usage === 'auth');
      expect(Date.parse(sign.steps.find((x: any) => x.name === 'verify').endedAt)).toBeLessThanOrEqual(
        Date.parse(auth.steps.find((x: any) => x.name === 'new-key').startedAt),
      );
    }
    const again = await E.run(['plan', manifest, '--detailed-exitcode'], { env });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(E.sb.outages()).toEqual([]);
  }, 120_000);
});
