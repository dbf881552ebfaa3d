import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEnv } from '../support/sandbox.js';
import { certShape, routineRotation, sandboxWithCertificates } from './support.js';

const rotate = [...routineRotation, '--json'];
const WRITES = [
  'addKeyAndCsr',
  'orderAcmeCertificate',
  'registerCertificate',
  'approveManagementRequest',
  'activateCertificate',
  'disableCertificate',
  'unregisterAuthCertificate',
  'deleteKey',
];

/**
 * Every write of the auth runbook meets a reset connection, then a request that outlives the client's timeout
 * (the server still does it): the runbook stops with a line naming the server and step, or carries on when the
 * step was done after all, and `rotate resume` converges to the same end state, with no outage.
 */
describe('rotation under connection resets and timeouts', () => {
  let E: SandboxEnv;
  beforeAll(async () => {
    ({ E } = await sandboxWithCertificates());
  }, 120_000);
  afterAll(async () => E?.stop());

  const cases = [
    ...WRITES.flatMap((op) => [
      [op, 'reset'],
      [op, 'timeout'],
    ]),
    // the server ordered and imported the certificate (the CSR is gone then), the answer was lost: resume must take
    // the certificate the new key holds, not order again with a CSR that no longer exists
    ['orderAcmeCertificate', 'truncated'],
    ['getKey', 'status'],
  ];
  it.each(cases)('%s: %s once, then resume', async (op, kind) => {
    const reference = ['auth REGISTERED active OCSP_RESPONSE_GOOD', 'sign REGISTERED active OCSP_RESPONSE_GOOD'];
    E.sb.faults.add({
      server: op === 'approveManagementRequest' ? 'cs' : 'ss1',
      operation: op,
      times: 1,
      ...(kind === 'reset'
        ? { reset: true }
        : kind === 'truncated'
          ? { corrupt: 'truncated' as const }
          : kind === 'status'
            ? { status: 500 }
            : { latencyMs: 4500 }),
    });
    const r = await E.runIn(rotate, { env: { XRDCTL_TIMEOUT: '3' } });
    E.sb.faults.clear();
    if (r.exitCode !== 0) {
      expect(r.stderr).toMatch(/ss1|cs/);
      const open = (await E.runIn(['rotate', 'status', '--json'])).json().rotations.filter((j: any) => j.status !== 'done' && j.status !== 'aborted');
      expect(open).toHaveLength(1);
      const res = await E.runIn(['rotate', 'resume', open[0].id, '--yes', '--json']);
      expect(res.exitCode, res.stderr).toBe(0);
    }
    expect(await certShape(E, 'ss1')).toEqual(reference);
    expect(E.sb.outages().filter((o) => o.server === 'ss1')).toEqual([]);
  });
});
