import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/** Two security servers with certificates only (auth + the owner's sign certificate). */
export const rotationManifest = join(repoRoot, 'examples/rotation/manifest.yaml');

/** a routine auth rotation of ss1 through the server's own ACME order, no waiting for propagation, the old key not kept */
export const routineRotation = [
  'rotate',
  'auth',
  '-c',
  'ss1',
  '--adapter',
  'server-acme',
  '--ca',
  'Sandbox CA',
  '--propagation',
  '0',
  '--timeout',
  '60',
  '--keep-old',
  '0',
  '--yes',
];

/** A sandbox of two security servers whose certificates the rotation manifest issued (through the CLI's apply). */
export async function sandboxWithCertificates(): Promise<{ E: SandboxEnv; env: Record<string, string> }> {
  const E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 300 });
  const env = manifestEnv(E.sb);
  const r = await E.run(['apply', rotationManifest, '--yes', '--json'], { env });
  expect(r.exitCode, r.stderr).toBe(0);
  return { E, env };
}

/** What a server's certificates look like, independent of hashes: usage, status, active, OCSP per certificate. */
export async function certShape(E: SandboxEnv, ctx: string): Promise<string[]> {
  const certs = (await E.run(['cert', 'list', '-c', ctx, '--json'])).json().certificates as {
    usage: string;
    status: string;
    active: boolean;
    ocspStatus?: string;
  }[];
  return certs.map((c) => `${c.usage} ${c.status} ${c.active ? 'active' : 'inactive'} ${c.ocspStatus ?? '-'}`).sort();
}

/**
 * One rotation killed (SIGKILL, no cleanup) right after each of its steps in turn: the first run dies after
 * the first step, each resume runs exactly one more step and dies after it, a last resume finishes. Every
 * step is followed by a kill, and every resume starts from a journal a kill left behind. `afterFirst` sees
 * the unfinished rotation once, `afterKill` after every kill. Returns the rotation's id and the steps killed.
 */
export async function killAfterEveryStep(
  E: SandboxEnv,
  start: string[],
  server: string,
  steps: readonly string[],
  o: { afterFirst?: (id: string) => Promise<void>; afterKill?: (step: string) => void } = {},
): Promise<{ id: string; killed: string[] }> {
  const status = async (id: string) => (await E.runIn(['rotate', 'status', id, '--json'])).json().rotations[0];
  const first = await E.run(start, { env: { XRDCTL_CRASH_AFTER_STEP: steps[0]! } });
  expect(first.exitCode, first.stderr).not.toBe(0); // killed
  const open = (await E.runIn(['rotate', 'status', '--json'])).json().rotations.filter((j: any) => j.server === server && j.status !== 'done');
  expect(open).toHaveLength(1);
  const id: string = open[0].id;
  await o.afterFirst?.(id);
  const killed = [steps[0]!];
  for (const name of steps.slice(1)) {
    const r = await E.run(['rotate', 'resume', id, '--yes', '--json'], { env: { XRDCTL_CRASH_AFTER_STEP: name } });
    expect((await status(id)).steps.find((x: any) => x.name === name).status, `${name}: ${r.stderr.slice(-400)}`).toMatch(/done|skipped/);
    if (r.exitCode === 0) break; // the last step: nothing was left to kill
    killed.push(name);
    o.afterKill?.(name);
  }
  expect(killed.length).toBeGreaterThanOrEqual(steps.length - 1);
  if ((await status(id)).status !== 'done') {
    const res = await E.runIn(['rotate', 'resume', id, '--yes', '--json']);
    expect(res.exitCode, res.stderr).toBe(0);
  }
  expect((await status(id)).status).toBe('done');
  return { id, killed };
}
