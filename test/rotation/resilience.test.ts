import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbook } from '../../src/rotation/steps.js';
import type { SandboxEnv } from '../support/sandbox.js';
import { certShape, killAfterEveryStep, rotationManifest as manifest, sandboxWithCertificates } from './support.js';

const fast = ['--propagation', '0', '--timeout', '60'];
const acme = ['--adapter', 'server-acme', '--ca', 'Sandbox CA'];

describe('rotation resilience: SIGKILL after every step, faults, a slow CA, bad input', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ E, env } = await sandboxWithCertificates());
  }, 120_000);
  afterAll(async () => E?.stop());

  const status = async (id: string) => (await E.runIn(['rotate', 'status', id, '--json'])).json().rotations[0];

  // the end state of an uninterrupted routine auth rotation, as a reference
  let reference: string[] = [];
  it('an uninterrupted routine auth rotation gives the reference end state', async () => {
    const r = await E.run(['rotate', 'auth', '-c', 'ss2', ...acme, ...fast, '--keep-old', '0', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    reference = await certShape(E, 'ss2');
    expect(reference).toEqual(['auth REGISTERED active OCSP_RESPONSE_GOOD', 'sign REGISTERED active OCSP_RESPONSE_GOOD']);
  });

  const routine = runbook({ usage: 'auth', mode: 'routine', cutNow: false });
  it('SIGKILL right after every step of the routine runbook, each time resumed: the same end state', async () => {
    const rotate = ['rotate', 'auth', '-c', 'ss2', ...acme, ...fast, '--keep-old', '0', '--yes', '--json'];
    const { killed } = await killAfterEveryStep(E, rotate, 'ss2', routine, {
      // a second rotation of the same server is refused while this one is unfinished
      afterFirst: async (id) => {
        const second = await E.runIn(['rotate', 'auth', '-c', 'ss2', ...acme, ...fast, '--yes']);
        expect(second.exitCode).toBe(1);
        expect(second.stderr).toMatch(new RegExp(`unfinished auth rotation ${id}`));
      },
      afterKill: (name) =>
        expect(
          E.sb.outages().filter((o) => o.server === 'ss2'),
          name,
        ).toEqual([]),
    });
    console.log(`rotation crash points: ${killed.length} of ${routine.length} steps killed and resumed (${killed.join(', ')})`);
    expect(await certShape(E, 'ss2')).toEqual(reference);
    expect(E.sb.outages().filter((o) => o.server === 'ss2')).toEqual([]);
  }, 240_000);

  it('every write of the runbook failing once (500): a one-line error naming server and step, and resume completes', async () => {
    const ops = [
      'addKeyAndCsr',
      'orderAcmeCertificate',
      'registerCertificate',
      'approveManagementRequest',
      'activateCertificate',
      'disableCertificate',
      'unregisterAuthCertificate',
      'deleteKey',
    ];
    let failedOnce = 0;
    for (const op of ops) {
      E.sb.faults.add({ server: op === 'approveManagementRequest' ? 'cs' : 'ss2', operation: op, status: 500, times: 1 });
      const r = await E.runIn(['rotate', 'auth', '-c', 'ss2', ...acme, ...fast, '--keep-old', '0', '--yes', '--json']);
      E.sb.faults.clear();
      const open = (await E.runIn(['rotate', 'status', '--json'])).json().rotations.filter((j: any) => j.server === 'ss2' && j.status !== 'done');
      if (r.exitCode !== 0) {
        failedOnce++;
        expect(
          r.stderr
            .trim()
            .split('\n')
            .filter((l) => / ss2 | ss2:|ss2 step|cs step/.test(l)).length,
        ).toBeGreaterThan(0);
        expect(open).toHaveLength(1);
        const res = await E.runIn(['rotate', 'resume', open[0].id, '--yes', '--json']);
        expect(res.exitCode, `${op}: ${res.stderr}`).toBe(0);
      } else expect(open).toHaveLength(0);
      expect(await certShape(E, 'ss2'), op).toEqual(reference);
      expect(
        E.sb.outages().filter((o) => o.server === 'ss2'),
        op,
      ).toEqual([]);
    }
    expect(failedOnce).toBeGreaterThan(0);
  }, 240_000);

  it('a CA that takes its time (manual adapter): the runbook waits (exit 4), resume finishes once the answer is there', async () => {
    const out = join(E.work, 'outbox');
    mkdirSync(out, { recursive: true });
    const r = await E.run(['rotate', 'auth', '-c', 'ss1', '--adapter', 'manual', '--out', out, '--ca', 'Sandbox CA', ...fast, '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(4);
    const j = r.json().rotations[0];
    expect(j).toMatchObject({ status: 'waiting', waitingOn: 'the CA' });
    const csr = join(out, `${j.id}.csr`);
    expect(existsSync(csr)).toBe(true);
    // resuming before the CA answered keeps waiting and changes nothing
    expect((await E.runIn(['rotate', 'resume', j.id, '--yes'])).exitCode).toBe(4);
    writeFileSync(join(out, `${j.id}.crt`), E.sb.ca.sign(await import('node:fs').then((f) => f.readFileSync(csr)), { usage: 'AUTHENTICATION' }));
    const res = await E.runIn(['rotate', 'resume', j.id, '--yes', '--json']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json().rotations[0].status).toBe('done');
    expect(await certShape(E, 'ss1')).toEqual(expect.arrayContaining(['auth REGISTERED active OCSP_RESPONSE_GOOD']));
  });

  it('bad input: a server not in the manifest, a member with no sign certificate, a CA that rejects the CSR, a certificate for the wrong key', async () => {
    const a = await E.run(['rotate', 'auth', '-f', manifest, '--server', 'ss9', '--yes'], { env });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/ss9: not a security server of/);
    const b = await E.run(['rotate', 'sign', '-c', 'ss1', '--member', 'DEV:GOV:4242', ...acme, '--yes']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/ss1 has no sign certificate for DEV:GOV:4242 to rotate/);
    const before = await certShape(E, 'ss1');
    const c = await E.run([
      'rotate',
      'auth',
      '-c',
      'ss1',
      '--adapter',
      'command',
      '--command',
      'sh -c "echo refused: bad subject >&2; exit 3"',
      '--ca',
      'Sandbox CA',
      ...fast,
      '--yes',
      '--json',
    ]);
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toMatch(/CA command sh failed \(exit 3\): refused: bad subject/);
    const cj = (await E.runIn(['rotate', 'status', '--json'])).json().rotations.find((j: any) => j.server === 'ss1' && j.status === 'failed');
    expect(cj.steps.find((s: any) => s.name === 'ca')).toMatchObject({ status: 'failed' });
    expect((await E.runIn(['rotate', 'abort', cj.id, '--yes'])).exitCode).toBe(0);
    expect(await certShape(E, 'ss1')).toEqual(before); // nothing lost, the new key gone again
    // a certificate for another key: the import check refuses it, the old certificate is untouched
    const out = join(E.work, 'wrong');
    mkdirSync(out, { recursive: true });
    const d = await E.run(['rotate', 'auth', '-c', 'ss1', '--adapter', 'manual', '--out', out, '--ca', 'Sandbox CA', ...fast, '--yes', '--json']);
    const dj = d.json().rotations[0];
    const other = (await E.run(['csr', 'create', '-c', 'ss2', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', join(out, 'other.csr')])).exitCode;
    expect(other).toBe(0);
    writeFileSync(
      join(out, `${dj.id}.crt`),
      E.sb.ca.sign(await import('node:fs').then((f) => f.readFileSync(join(out, 'other.csr'))), { usage: 'AUTHENTICATION' }),
    );
    const res = await E.runIn(['rotate', 'resume', dj.id, '--yes', '--json']);
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toMatch(/import/);
    expect((await status(dj.id)).steps.find((s: any) => s.name === 'import').status).toBe('failed');
    expect((await E.runIn(['rotate', 'abort', dj.id, '--yes'])).exitCode).toBe(0);
    expect(await certShape(E, 'ss1')).toEqual(before);
  }, 120_000);
});
