import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/** The imperative commands run the same actions as apply; each is idempotent and reports changed. */
describe('client, service, endpoint, access, group and cs member commands', () => {
  let E: SandboxEnv;
  const C = 'DEV:GOV:1001:REPORTS';
  const run = async (args: string[], code = 0) => {
    const r = await E.run([...args, '--json']);
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(code);
    await expectConforms(
      args
        .slice(0, args.findIndex((a) => a.startsWith('-') || /[:/]/.test(a)) === -1 ? args.length : args.findIndex((a) => a.startsWith('-') || /[:/]/.test(a)))
        .join(':'),
      r.json(),
    );
    return r.json();
  };

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
    const r = await E.run(['apply', join(repoRoot, 'examples/small/manifest.yaml'), '--yes'], { env: manifestEnv(E.sb) });
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(async () => E?.stop());

  it('cs member and subsystem: add (idempotent) and list', async () => {
    expect(await run(['cs', 'member', 'add', 'DEV:COM:2001', '--name', 'Acme Ltd', '-c', 'cs'])).toMatchObject({ changed: true });
    expect(await run(['cs', 'member', 'add', 'DEV:COM:2001', '--name', 'Acme Ltd', '-c', 'cs'])).toMatchObject({ changed: false });
    expect((await run(['cs', 'member', 'list', '-c', 'cs'])).members.map((m: any) => m.id)).toContain('DEV:COM:2001');
    expect(await run(['cs', 'subsystem', 'add', C, '-c', 'cs'])).toMatchObject({ changed: true });
    expect((await run(['cs', 'subsystem', 'list', '-c', 'cs'])).subsystems.map((m: any) => m.id)).toContain(C);
  });

  it('client add → register --approve → REGISTERED; again is a no-op', async () => {
    expect(await run(['client', 'add', C, '--name', 'Reports', '-c', 'ss1'])).toMatchObject({ changed: true });
    expect(await run(['client', 'add', C, '-c', 'ss1'])).toMatchObject({ changed: false });
    expect(await run(['client', 'register', C, '--approve', '-c', 'ss1'])).toMatchObject({ changed: true });
    const list = await run(['client', 'list', '-c', 'ss1']);
    expect(list.clients.find((c: any) => c.id === C)).toMatchObject({ status: 'REGISTERED' });
    expect(await run(['client', 'register', C, '--approve', '-c', 'ss1'])).toMatchObject({ changed: false });
  });

  it('service description, service parameters, endpoints', async () => {
    const url = 'https://reports.example.org/api';
    expect(await run(['service', 'add-description', '--client', C, '--type', 'REST', '--url', url, '--rest-code', 'reports', '-c', 'ss1'])).toMatchObject({
      changed: true,
    });
    expect(await run(['service', 'add-description', '--client', C, '--type', 'REST', '--url', url, '--rest-code', 'reports', '-c', 'ss1'])).toMatchObject({
      changed: false,
    });
    expect(await run(['service', 'set', '--client', C, '--code', 'reports', '--timeout', '90', '-c', 'ss1'])).toMatchObject({ changed: true });
    expect(await run(['service', 'set', '--client', C, '--code', 'reports', '--timeout', '90', '-c', 'ss1'])).toMatchObject({ changed: false });
    const svc = (await run(['service', 'list', '--client', C, '-c', 'ss1'])).services[0];
    expect(svc).toMatchObject({ code: 'reports', timeout: 90, disabled: false });
    expect(await run(['endpoint', 'add', '--client', C, '--code', 'reports', '--method', 'GET', '--path', '/monthly/*', '-c', 'ss1'])).toMatchObject({
      changed: true,
    });
    expect((await run(['endpoint', 'list', '--client', C, '--code', 'reports', '-c', 'ss1'])).endpoints).toContain('GET /monthly/*');
    expect(await run(['endpoint', 'delete', '--client', C, '--code', 'reports', '--method', 'GET', '--path', '/monthly/*', '-c', 'ss1'])).toMatchObject({
      changed: true,
    });
    expect(await run(['service', 'disable', '--client', C, '--url', url, '-c', 'ss1', '--yes'])).toMatchObject({ changed: true });
    expect(await run(['service', 'enable', '--client', C, '--url', url, '-c', 'ss1'])).toMatchObject({ changed: true });
  });

  it('local groups and access rights', async () => {
    expect(
      await run(['group', 'add', '--client', C, '--code', 'readers', '--description', 'Readers', '--member', 'DEV:GOV:1002:TAXES', '-c', 'ss1']),
    ).toMatchObject({ changed: true });
    expect((await run(['group', 'list', '--client', C, '-c', 'ss1'])).groups).toEqual([
      { code: 'readers', description: 'Readers', members: ['DEV:GOV:1002:TAXES'] },
    ]);
    expect(await run(['group', 'remove-members', '--client', C, '--code', 'readers', '--member', 'DEV:GOV:1002:TAXES', '-c', 'ss1'])).toMatchObject({
      changed: true,
    });
    expect(await run(['group', 'add-members', '--client', C, '--code', 'readers', '--member', 'DEV:GOV:1002:TAXES', '-c', 'ss1'])).toMatchObject({
      changed: true,
    });
    expect(await run(['access', 'grant', '--client', C, '--subject', 'local:readers', '--code', 'reports', '-c', 'ss1'])).toMatchObject({ changed: true });
    expect(await run(['access', 'grant', '--client', C, '--subject', 'DEV:GOV:1002:TAXES', '--code', 'reports', '-c', 'ss1'])).toMatchObject({ changed: true });
    const rights = (await run(['access', 'list', '--client', C, '-c', 'ss1'])).rights;
    expect(rights.map((r: any) => [r.subject, r.services])).toEqual(
      expect.arrayContaining([
        ['local:readers', ['reports']],
        ['DEV:GOV:1002:TAXES', ['reports']],
      ]),
    );
    expect(await run(['access', 'revoke', '--client', C, '--subject', 'DEV:GOV:1002:TAXES', '--code', 'reports', '-c', 'ss1', '--yes'])).toMatchObject({
      changed: true,
    });
    const bad = await E.run(['access', 'grant', '--client', C, '--subject', 'local:nosuch', '--code', 'reports', '-c', 'ss1']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/local group nosuch of DEV:GOV:1001:REPORTS does not exist/);
  });

  it('client unregister and delete, guarded by confirmation; deleting a registered client is refused with a hint', async () => {
    const refused = await E.run(['client', 'delete', C, '-c', 'ss1', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/is REGISTERED: unregister it first/);
    const noYes = await E.run(['client', 'unregister', C, '-c', 'ss1']);
    expect(noYes.exitCode).toBe(2);
    expect(await run(['client', 'unregister', C, '-c', 'ss1', '--yes'])).toMatchObject({ changed: true });
    expect(await run(['client', 'delete', C, '-c', 'ss1', '--yes'])).toMatchObject({ changed: true });
    expect((await run(['client', 'list', '-c', 'ss1'])).clients.map((c: any) => c.id)).not.toContain(C);
  });
});
