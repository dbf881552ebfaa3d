import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const manifest = join(repoRoot, 'examples/rotation/manifest.yaml');
const fast = ['--propagation', '1', '--timeout', '60'];

describe('rotate auth|sign against the sandbox', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const certs = async (ctx: string) => (await E.run(['cert', 'list', '-c', ctx, '--json'])).json().certificates as any[];

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 300 });
    env = manifestEnv(E.sb);
    const r = await E.run(['apply', manifest, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
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
      'new-key:done', 'ca:done', 'import:done', 'register:done', 'approve:done', 'wait-registered:done', 'activate:done', 'verify:done', 'propagate:done', 'disable-old:done', 'unregister-old:done', 'delete-old:skipped',
    ]);
    const after = await certs('ss1');
    const newOne = after.find((c) => c.hash === j.new.hash);
    expect(newOne).toMatchObject({ usage: 'auth', status: 'REGISTERED', active: true, ocspStatus: 'OCSP_RESPONSE_GOOD' });
    expect(after.find((c) => c.hash === before.hash)).toMatchObject({ status: 'DELETION_IN_PROGRESS', active: false });
    const st = await E.run(['rotate', 'status', j.id, '--json']);
    expect(st.json().rotations[0].status).toBe('done');
  });

  it('routine sign rotation from the manifest', async () => {
    const r = await E.run(['rotate', 'sign', '-f', manifest, '--server', 'ss2', '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j).toMatchObject({ server: 'ss2', usage: 'sign', member: 'DEV:GOV:1002', status: 'done' });
    const after = await certs('ss2');
    expect(after.find((c) => c.hash === j.new.hash)).toMatchObject({ usage: 'sign', active: true, ocspStatus: 'OCSP_RESPONSE_GOOD' });
    expect(after.find((c) => c.hash === j.old.hash)).toMatchObject({ active: false });
  });

  it('off a terminal the irreversible steps need --yes; nothing is written without it', async () => {
    E.sb.clearRequests();
    const r = await E.run(['rotate', 'auth', '-c', 'ss2', '--adapter', 'server-acme', '--ca', 'Sandbox CA', ...fast]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(E.sb.requests().filter((x) => x.write)).toEqual([]);
  });
});
