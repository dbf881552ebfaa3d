import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';
import { editedManifest, manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

const example = join(repoRoot, 'examples/small/manifest.yaml');

describe('validate, plan, apply against the sandbox (2 security servers)', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const writes = () => E.sb.requests().filter((r) => r.write);

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 300 });
    env = manifestEnv(E.sb);
  });
  afterAll(async () => E?.stop());

  it('plan on an empty sandbox lists everything; --detailed-exitcode exits 4; no write is sent', async () => {
    const r = await E.run(['plan', example, '--detailed-exitcode', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(4);
    await expectConforms('plan', r.json());
    expect(r.json().summary.create).toBeGreaterThan(10);
    expect(writes()).toEqual([]);
  });

  it('apply --check changes nothing', async () => {
    const r = await E.run(['apply', example, '--check', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ check: true, changed: true, result: null });
    expect(writes()).toEqual([]);
  });

  it('apply without --yes off a terminal refuses, naming --yes', async () => {
    const r = await E.run(['apply', example], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(writes()).toEqual([]);
  });

  it('apply builds the whole instance: certificates, clients registered, services, access rights', async () => {
    const r = await E.run(['apply', example, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    await expectConforms('apply', r.json());
    expect(r.json()).toMatchObject({ changed: true, result: { ok: true } });
    // JSON events went to stderr, one per line
    const events = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'done')).toBe(true);
    const certs = await E.run(['cert', 'list', '-c', 'ss1', '--json']);
    expect(certs.json().certificates.map((c: any) => [c.usage, c.status, c.active])).toEqual(
      expect.arrayContaining([
        ['auth', 'REGISTERED', true],
        ['sign', 'REGISTERED', true],
      ]),
    );
    const reqs = await E.run(['cs', 'request', 'list', '-c', 'cs', '--json']);
    expect(
      reqs
        .json()
        .requests.filter((q: any) => q.status === 'APPROVED')
        .map((q: any) => q.type)
        .sort(),
    ).toEqual(['AUTH_CERT_REGISTRATION_REQUEST', 'AUTH_CERT_REGISTRATION_REQUEST', 'CLIENT_REGISTRATION_REQUEST', 'CLIENT_REGISTRATION_REQUEST']);
  });

  it('a second apply sends no write request and reports changed: false', async () => {
    E.sb.clearRequests();
    const r = await E.run(['apply', example, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ changed: false, result: null });
    expect(writes()).toEqual([]);
    // reads are batched: a handful per server, not one per object
    expect(r.json().requests).toBeLessThanOrEqual(20);
  });

  it('changing one service timeout plans exactly that change, and apply makes it', async () => {
    const m = editedManifest(E.work, 'timeout.yaml', (doc) =>
      doc.setIn(['securityServers', 1, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'timeout'], 45),
    );
    const p = await E.run(['plan', m, '--json'], { env });
    const changes = p.json().servers.flatMap((s: any) => s.changes);
    expect(changes).toEqual([expect.objectContaining({ server: 'ss2', kind: 'service', op: 'update', diff: { timeout: { from: 30, to: 45 } } })]);
    E.sb.clearRequests();
    const a = await E.run(['apply', m, '--yes', '--json'], { env });
    expect(a.exitCode, a.stderr).toBe(0);
    expect(writes().map((w) => w.operationId)).toEqual(['updateService']);
  });

  it('an access right the manifest drops: left alone and reported without prune; revoked with prune: true', async () => {
    const dropped = (prune: boolean) => (doc: any) => {
      doc.setIn(['securityServers', 0, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'accessRights'], ['local:auditors']);
      if (prune) doc.setIn(['securityServers', 0, 'clients', 0, 'prune'], { accessRights: true });
    };
    const keep = editedManifest(E.work, 'keep.yaml', dropped(false));
    const p = await E.run(['plan', keep, '--json'], { env });
    // (ss2's service timeout was changed by the test before; only ss1 matters here)
    const ch = p
      .json()
      .servers.filter((s: any) => s.server === 'ss1')
      .flatMap((s: any) => s.changes);
    expect(ch).toEqual([expect.objectContaining({ kind: 'access-right', op: 'keep' })]);
    E.sb.clearRequests();
    expect((await E.run(['apply', keep, '--yes'], { env })).exitCode).toBe(0);
    expect(writes().filter((w) => w.server === 'ss1')).toEqual([]);
    const prune = editedManifest(E.work, 'prune.yaml', dropped(true));
    const p2 = await E.run(['plan', prune], { env });
    expect(p2.stdout).toMatch(/- revoke DEV:GOV:1002:TAXES access to budget of DEV:GOV:1001:BUDGET \(prune\)/);
    E.sb.clearRequests();
    expect((await E.run(['apply', prune, '--yes'], { env })).exitCode).toBe(0);
    expect(writes().map((w) => w.operationId)).toEqual(['deleteServiceClientAccessRights']);
    const again = await E.run(['plan', prune, '--detailed-exitcode'], { env });
    expect(again.exitCode, again.stdout).toBe(0);
  });

  it('a saved plan runs only if the servers did not drift since', async () => {
    const m = editedManifest(E.work, 'saved.yaml', (doc) =>
      doc.setIn(['securityServers', 1, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'timeout'], 50),
    );
    const planFile = join(E.work, 'plan.json');
    const p = await E.run(['plan', m, '--out', planFile], { env });
    expect(p.exitCode, p.stderr).toBe(0);
    // drift: someone changes the server behind our back
    const drift = editedManifest(E.work, 'drift.yaml', (doc) =>
      doc.setIn(['securityServers', 1, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'timeout'], 55),
    );
    expect((await E.run(['apply', drift, '--yes'], { env })).exitCode).toBe(0);
    const refused = await E.run(['apply', planFile, '--yes'], { env });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/(ss1|ss2) step check-drift: (ss1|ss2) changed since the plan was made/);
    const fresh = await E.run(['plan', m, '--out', planFile], { env });
    expect(fresh.exitCode).toBe(0);
    const ok = await E.run(['apply', planFile, '--yes', '--json'], { env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json().changed).toBe(true);
  });

  it('cert expiry over every server of the manifest', async () => {
    const r = await E.run(['cert', 'expiry', '--manifest', example, '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    await expectConforms('cert:expiry', r.json());
    expect(r.json().servers.map((s: any) => s.server)).toEqual(['ss1', 'ss2']);
    expect(r.json().certificates).toHaveLength(4);
  });

  it('no secret appears in plan or apply output', async () => {
    const r = await E.run(['apply', example, '--check', '--json', '--verbose'], { env });
    const secrets = Object.entries(env)
      .filter(([k]) => /API_KEY|PIN/.test(k))
      .map(([, v]) => v);
    for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
  });
});
