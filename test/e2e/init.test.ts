import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const fresh = join(repoRoot, 'examples/fresh/manifest.yaml');

describe('from uninitialised security servers to a working instance (sandbox --preset empty)', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 300, preset: 'empty' });
    env = manifestEnv(E.sb);
  });
  afterAll(async () => E?.stop());

  it('plan starts with initialisation, and everything on a server waits for it', async () => {
    const r = await E.run(['plan', fresh, '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    await expectConforms('plan', r.json());
    const ss1 = r.json().servers.find((s: any) => s.server === 'ss1');
    const init = ss1.changes.find((c: any) => c.kind === 'server-init');
    expect(init.summary).toMatch(/initialise DEV:GOV:1001:SS1 \(anchor, owner, server code, token; anchor from the central server\)/);
    for (const c of ss1.changes.filter((x: any) => x.action && x.id !== init.id)) expect(c.dependsOn).toContain(init.id);
    expect(ss1.changes.some((c: any) => c.kind === 'timestamping')).toBe(true);
  });

  it('apply initialises both servers and builds the instance; a second apply changes nothing', async () => {
    const r = await E.run(['apply', fresh, '--yes', '--json'], { env, timeoutMs: 180_000 } as any);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().result.ok).toBe(true);
    for (const s of ['ss1', 'ss2']) {
      const info = (await E.run(['server', 'info', '-c', s, '--json'])).json();
      expect(info.initialization).toMatchObject({ anchorImported: true, serverCodeInitialized: true, ownerInitialized: true, softwareToken: 'INITIALIZED' });
    }
    const certs = (await E.run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates;
    expect(certs.map((c: any) => [c.usage, c.status, c.active])).toEqual(
      expect.arrayContaining([
        ['auth', 'REGISTERED', true],
        ['sign', 'REGISTERED', true],
      ]),
    );
    E.sb.clearRequests();
    const again = await E.run(['apply', fresh, '--yes', '--json'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json().changed).toBe(false);
    expect(E.sb.requests().filter((q) => q.write)).toEqual([]);
  }, 180_000);
});
