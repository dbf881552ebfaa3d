import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecurityServerApi } from '../../src/api/security-server.js';
import { HttpClient } from '../../src/http/index.js';
import { readServer } from '../../src/engine/actual.js';
import { loadManifest } from '../../src/manifest/index.js';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

/** What a server holds, without ids, hashes and times: two runs that converge compare equal. */
async function snapshot(E: SandboxEnv): Promise<unknown> {
  const { manifest } = await loadManifest([example], { env: manifestEnv(E.sb) });
  const out: Record<string, unknown> = {};
  for (const s of manifest!.servers) {
    const info = E.sb.ss.find((x) => x.name === s.name)!;
    const http = new HttpClient({ baseUrl: info.url, server: s.name, apiKey: info.apiKeys.admin, tlsFingerprint: info.fingerprint });
    try {
      const a = await readServer(new SecurityServerApi(http), s, manifest!.instance);
      out[s.name] = {
        loggedIn: a.tokens.map((t) => t.logged_in),
        certs: a.tokens.flatMap((t) => t.keys.flatMap((k) => k.certificates.map((c) => `${k.usage} ${c.status} ${c.active}`))).sort(),
        clients: a.clients.map((c) => `${c.member_class}:${c.member_code}:${c.subsystem_code ?? ''} ${c.status}`).sort(),
        sds: [...a.serviceDescriptions.entries()].map(([id, sds]) => [id, sds.map((d) => ({ url: d.url, disabled: d.disabled, services: d.services.map((v) => [v.service_code, v.timeout, (v.endpoints ?? []).map((e) => `${e.method} ${e.path}`).sort()]) }))]),
        rights: [...a.accessRights.entries()].map(([id, m]) => [id, [...m.entries()].map(([k, v]) => [v.localGroupCode ?? k, v.codes.sort()]).sort()]),
        groups: [...a.localGroups.entries()].map(([id, gs]) => [id, gs.map((g) => [g.code, (g.members ?? []).map((m) => m.id).sort()])]),
      };
    } finally {
      http.close();
    }
  }
  return out;
}

describe('a failure at any apply step, then a rerun, converges to the clean result', () => {
  const envs: SandboxEnv[] = [];
  afterAll(async () => Promise.all(envs.map((e) => e.stop())));
  const fresh = async () => {
    const E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 100 });
    envs.push(E);
    return E;
  };

  it('walks every write operation of a clean apply', async () => {
    const clean = await fresh();
    const r = await clean.run(['apply', example, '--yes', '--json'], { env: manifestEnv(clean.sb) });
    expect(r.exitCode, r.stderr).toBe(0);
    const expected = await snapshot(clean);
    const ops = [...new Set(clean.sb.requests().filter((q) => q.write).map((q) => q.operationId!))];
    expect(ops.length).toBeGreaterThan(10);
    await clean.stop();

    const report: string[] = [];
    // each operation gets a sandbox of its own; three at a time
    const queue = [...ops];
    const worker = async () => {
      for (let op = queue.shift(); op; op = queue.shift()) {
        const E = await fresh();
        const env = manifestEnv(E.sb);
        E.sb.faults.add({ server: '*', operation: op, status: 500, code: 'internal_error', times: 1 });
        const failed = await E.runIn(['apply', example, '--yes', '--json', '--timeout', '30'], { env });
        // the failure is reported as such, with the server and step, never a stack trace
        expect(failed.exitCode, `${op}: ${failed.stderr.slice(-500)}`).toBe(1);
        expect(failed.stderr).not.toMatch(/\n\s+at /);
        const rerun = await E.runIn(['apply', example, '--yes', '--json', '--timeout', '30'], { env });
        expect(rerun.exitCode, `${op} rerun: ${rerun.stderr.slice(-800)}`).toBe(0);
        const after = await E.runIn(['plan', example, '--detailed-exitcode'], { env });
        expect(after.exitCode, `${op}: still pending after rerun\n${after.stdout}`).toBe(0);
        expect(await snapshot(E), op).toEqual(expected);
        report.push(op);
        await E.stop();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    report.sort();
    ops.sort();
    expect(report).toEqual(ops);
  }, 300_000);
});
