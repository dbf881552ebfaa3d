import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { editedManifest, manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { SecretScan } from '../support/secret-scan.js';

/** Items 3, 9 and 10 of issue 13: the planner's (src/engine, src/services/plan.ts, commands/plan.ts and apply.ts). */
const leadItem = (name: string, fn: () => Promise<void>, timeout?: number) => it(name, fn, timeout);
const example = join(repoRoot, 'examples/small/manifest.yaml');

describe('issue 13, the planner’s items', () => {
  let E: SandboxEnv;
  const work = mkdtempSync(join(tmpdir(), 'xrdctl-lead-'));
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
  });
  afterAll(async () => E?.stop());

  leadItem(
    'item 3: plan and apply exit 3 on a pin mismatch, an untrusted certificate or a 401, never "No changes." / "Nothing to do."',
    async () => {
      const env = manifestEnv(E.sb);
      const noPin = editedManifest(work, 'nopin.yaml', (d) => d.deleteIn(['securityServers', 0, 'tlsFingerprint']));
      const cases: [string, string, Record<string, string>][] = [
        ['pin mismatch', example, { ...env, XRD_SS1_TLS_FINGERPRINT: 'AB:'.repeat(31) + 'AB' }],
        ['untrusted certificate', noPin, env],
        ['401', example, { ...env, XRD_SS1_API_KEY: 'wrong-key-000000' }],
      ];
      for (const [what, file, e] of cases) {
        for (const args of [
          ['plan', file],
          ['plan', file, '--detailed-exitcode'],
          ['apply', file, '--yes'],
        ]) {
          const r = await E.run(args, { env: e });
          expect(r.exitCode, `${what} ${args[0]}: ${r.stderr}`).toBe(3);
          expect(r.stdout + r.stderr, what).not.toMatch(/No changes\.|Nothing to do\./);
          expect(r.stderr, what).toMatch(/ss1/);
        }
      }
    },
    120_000,
  );

  leadItem(
    'item 9: plan --out stores ${VAR} and secret references unexpanded, 0600 also over a 0644 file, never through a symlink',
    async () => {
      const env = manifestEnv(E.sb);
      const out = join(work, 'plan.json');
      writeFileSync(out, '{}', { mode: 0o644 });
      chmodSync(out, 0o644);
      const r = await E.run(['plan', example, '--out', out], { env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('${XRD_SS1_URL}');
      expect(text).not.toContain(E.sb.ss[0]!.url);
      expect(new SecretScan([...E.secrets, ...Object.values(env).filter((v) => v.length >= 6)]).text(out, text).findings).toEqual([]);
      const link = join(work, 'link.json');
      symlinkSync(join(work, 'target.json'), link);
      const s = await E.run(['plan', example, '--out', link], { env });
      expect(s.exitCode).toBe(2);
    },
    120_000,
  );

  leadItem(
    'item 10: a saved plan is validated before anything runs: an unknown action type (constructor) or an empty desired is exit 2, nothing applied',
    async () => {
      const env = manifestEnv(E.sb);
      const out = join(work, 'p.json');
      const r = await E.run(['plan', example, '--out', out], { env });
      expect(r.exitCode, r.stderr).toBe(0);
      const plan = JSON.parse(readFileSync(out, 'utf8'));
      const bad1 = join(work, 'bad1.json');
      const withCtor = structuredClone(plan);
      for (const s of withCtor.servers) for (const c of s.changes ?? []) c.type = 'constructor';
      writeFileSync(bad1, JSON.stringify(withCtor));
      const bad2 = join(work, 'bad2.json');
      writeFileSync(bad2, JSON.stringify({ ...plan, desired: {} }));
      for (const f of [bad1, bad2]) {
        E.sb.clearRequests();
        const a = await E.run(['apply', f, '--yes'], { env });
        expect(a.exitCode, a.stderr).toBe(2);
        expect(a.stdout + a.stderr).not.toMatch(/internal error|applied/);
        expect(E.sb.requests().filter((q) => q.write)).toHaveLength(0);
      }
    },
    120_000,
  );
});
