import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSigningRunbook } from '../../src/rotation/config-signing.js';
import { listJournals, loadJournal } from '../../src/rotation/journal.js';
import { sandboxConformance, type SandboxConformance } from '../sandbox/conformance-support.js';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { openApiDir } from '../support/openapi.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/**
 * Configuration signing key changes (issue 16) on a sandbox of five security servers, through the CLI as users run
 * it: the regular change, the emergency change (with the per-server interval checked against the outage record),
 * an unreachable server finished by resume, the refusals that leave the old key in place, SIGKILL after every step,
 * a regular change that has to wait and its abort, plan and health, the external source. The tests share one
 * sandbox and run in order (each starts from the keys the one before left). Every exchange is validated against
 * the OpenAPI files at the end.
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

  /** the central server's signing keys as it answers GET /tokens (read in-process: a CLI run per look would only add time) */
  const keys = async (): Promise<Key[]> =>
    ((await csCall('GET', '/tokens')) as { configuration_signing_keys?: { id: string; source_type: string; active: boolean }[] }[]).flatMap((t) =>
      (t.configuration_signing_keys ?? []).map((k) => ({ id: k.id, source: k.source_type, active: k.active })),
    );
  const internal = async () => (await keys()).filter((k) => k.source === 'INTERNAL');
  const globalconfOutages = () => E.sb.outages().filter((o) => o.kind === 'globalconf');
  /** every server of the manifest verifies global configuration, as health reads it (one run for all five) */
  const everyServerVerifies = async () => {
    const h = await E.run(['health', '-f', manifest, '--only', 'globalconf', '--json'], { env });
    const rows = h
      .json()
      .servers.filter((s: { kind: string }) => s.kind === 'security')
      .map(
        (s: { server: string; checks: { name: string; status: string }[] }) =>
          `${s.server} ${s.checks
            .filter((c) => c.name.startsWith('globalconf'))
            .map((c) => c.status)
            .join(',')}`,
      );
    expect(rows, JSON.stringify(h.json().servers)).toEqual(E.sb.ss.map((s) => expect.stringMatching(new RegExp(`^${s.name} (OK,?)+$`))));
  };

  it('regular change: the new key signs, the old one is deleted, every server verifies, no outage', async () => {
    const [before] = await internal();
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.kind).toBe('config-signing');
    expect(j.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'add-key:done',
      'wait-distributed:done',
      'activate-key:done',
      'verify-servers:done',
      'delete-old-key:done',
    ]);
    expect(j.servers.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('verified'));
    const after = await internal();
    expect(after).toHaveLength(1);
    // xrdctl cs key list shows the same
    const listed = (await E.run(['cs', 'key', 'list', '-c', 'cs', '--json'])).json();
    expect(listed.active.INTERNAL).toBe(j.new.keyId);
    expect(after[0]).toMatchObject({ id: j.new.keyId, active: true });
    expect(after[0]!.id).not.toBe(before!.id);
    await everyServerVerifies();
    expect(globalconfOutages()).toEqual([]);
    // rotate status knows it, with the other rotations
    const st = await E.run(['rotate', 'status', j.id, '--json']);
    expect(st.json().rotations[0]).toMatchObject({ id: j.id, kind: 'config-signing', status: 'done' });
  }, 60_000);

  it('emergency change: the re-created anchor on every server, the old key deleted, each outage within the runbook’s own push (printed per server)', async () => {
    const [before] = await internal();
    const t0 = Date.now();
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--emergency', ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'add-key:done',
      'activate-key:done',
      'recreate-anchor:done',
      'push-anchor:done',
      'delete-old-key:done',
      'seal-anchor:done',
      'finish-servers:done',
    ]);
    const after = await internal();
    expect(after.map((k) => [k.id, k.active])).toEqual([[j.new.keyId, true]]);
    expect(after[0]!.id).not.toBe(before!.id);
    // the anchor is kept for servers that have to import it by hand: 0600
    expect(statSync(j.anchorFile).mode & 0o777).toBe(0o600);
    // sealed: re-created after the compromised key was deleted, it lists the new key's certificate only
    expect(readFileSync(j.anchorFile, 'utf8').match(/<verificationCert>/g)).toHaveLength(1);
    await everyServerVerifies();
    // no server was unable to verify for longer than the interval the runbook printed for it
    const outages = globalconfOutages().filter((o) => Date.parse(o.from) >= t0);
    for (const s of j.servers) {
      expect(s.state).toBe('verified');
      expect(r.stderr).toContain(`${s.name}: verifies with the new key; unable to verify for at most`);
      for (const o of outages.filter((x) => x.server === s.name)) {
        expect(o.to, `${s.name} still unable to verify`).not.toBeNull();
        expect(Date.parse(o.to!) - Date.parse(o.from)).toBeLessThanOrEqual(s.unverifiedMs + 5);
      }
    }
    expect(outages.every((o) => o.to !== null)).toBe(true);
  }, 60_000);

  it('one server unreachable during the emergency push: the others finish, it is reported with the anchor and the resume command, resume completes it', async () => {
    E.sb.faults.add({ server: 'ss3', operation: '*', reset: true });
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--emergency', ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(4);
    const j = r.json().rotations[0];
    expect(j).toMatchObject({ status: 'waiting', waitingOn: 'unreachable security servers' });
    const states = Object.fromEntries(j.servers.map((s: { name: string; state: string }) => [s.name, s.state]));
    expect(states).toEqual({ ss1: 'verified', ss2: 'verified', ss3: 'unreachable', ss4: 'verified', ss5: 'verified' });
    const finish = j.steps.find((s: { name: string }) => s.name === 'finish-servers');
    expect(finish.message).toContain(j.anchorFile);
    expect(finish.message).toContain(`xrdctl rotate resume ${j.id}`);
    // the compromised key is gone: no reachable server trusts only it
    expect((await internal()).map((k) => k.id)).toEqual([j.new.keyId]);
    // the human view names the server, the anchor and the command
    const human = await E.run(['rotate', 'status', j.id]);
    expect(human.stdout).toMatch(/ss3\s+unreachable/);
    expect(human.stdout).toContain(`anchor to import by hand: ${j.anchorFile}; then xrdctl rotate resume ${j.id}`);
    E.sb.faults.clear('ss3');
    const res = await E.run(['rotate', 'resume', j.id, '--yes', '--json'], { env });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json().rotations[0].servers.every((s: { state: string }) => s.state === 'verified')).toBe(true);
    expect(globalconfOutages().filter((o) => o.to === null)).toEqual([]);
  }, 60_000);

  it('a central server key without the Security Officer role: exit 3 before anything changes', async () => {
    const before = await keys();
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--yes', '--json'], {
      env: { ...env, XRD_CS_API_KEY: E.sb.cs.apiKeys.XROAD_REGISTRATION_OFFICER! },
    });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.json().error.message).toMatch(/XROAD_REGISTRATION_OFFICER.*XROAD_SECURITY_OFFICER/);
    expect(await keys()).toEqual(before);
  });

  it('a logged-out central server token: a clear error (exit 1), nothing changed', async () => {
    const before = await keys();
    await csCall('PUT', '/tokens/0/logout');
    try {
      const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--yes', '--json'], { env });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.json().error.message).toMatch(/token 0 of the central server cs is logged out/);
      expect((await keys()).map((k) => k.id)).toEqual(before.map((k) => k.id));
    } finally {
      await csCall('PUT', '/tokens/0/login', { password: E.sb.cs.tokenPin });
    }
  });

  it('a server that refuses the anchor: the push fails naming it, the old key is kept; resume finishes once it accepts', async () => {
    const [old] = await internal();
    E.sb.faults.add({ server: 'ss2', operation: 'replaceAnchor', status: 409, code: 'anchor_upload_failed' });
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--emergency', ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(1);
    const j = r.json().rotations[0];
    expect(j.status).toBe('failed');
    expect(j.error).toMatch(/ss2: refused the anchor.*anchor_upload_failed.*the old key is kept/);
    expect(j.steps.find((s: { name: string }) => s.name === 'push-anchor').status).toBe('failed');
    expect(j.steps.find((s: { name: string }) => s.name === 'delete-old-key').status).toBe('pending');
    expect((await internal()).map((k) => k.id).sort()).toEqual([old!.id, j.new.keyId].sort());
    E.sb.faults.clear('ss2');
    const res = await E.run(['rotate', 'resume', j.id, '--yes', '--json'], { env });
    expect(res.exitCode, res.stderr).toBe(0);
    expect((await internal()).map((k) => k.id)).toEqual([j.new.keyId]);
    expect(res.json().rotations[0].servers.every((s: { state: string }) => s.state === 'verified')).toBe(true);
    expect(globalconfOutages().filter((o) => o.to === null)).toEqual([]);
  }, 60_000);

  it.each(['routine', 'emergency'] as const)(
    '%s: SIGKILL after every step in turn, each time resumed, converges (new key signs, old deleted, every server verifies)',
    async (mode) => {
      const names = configSigningRunbook({ mode });
      const [old] = await internal();
      const first = await E.run(['rotate', 'config-signing', '-f', manifest, ...(mode === 'emergency' ? ['--emergency'] : []), ...fast, '--yes', '--json'], {
        env: { ...env, XRDCTL_CRASH_AFTER_STEP: names[0] },
      });
      expect(first.exitCode, first.stderr).not.toBe(0);
      // the journals the killed process left (read in-process: a status run per step would only add time)
      const stateEnv = { XRDCTL_STATE_DIR: join(E.configDir, 'state') } as NodeJS.ProcessEnv;
      const open = listJournals(stateEnv).filter((j) => j.kind === 'config-signing' && j.status !== 'done' && j.status !== 'aborted');
      expect(open).toHaveLength(1);
      const id = open[0]!.id;
      // killed after step i, resumed and killed after step i+1, …: every step is a crash point, one process each
      for (const name of names.slice(1)) {
        const r = await E.run(['rotate', 'resume', id, '--yes', '--json'], { env: { ...env, XRDCTL_CRASH_AFTER_STEP: name } });
        expect(r.exitCode, `${name}: ${r.stderr}`).not.toBe(0);
        expect(loadJournal(id, stateEnv).steps.find((s) => s.name === name)?.status, name).toMatch(/done|skipped/);
      }
      const res = await E.run(['rotate', 'resume', id, '--yes', '--json'], { env });
      expect(res.exitCode, res.stderr).toBe(0);
      const j = res.json().rotations[0];
      expect(j.status).toBe('done');
      expect((await internal()).map((k) => [k.id, k.active])).toEqual([[j.new.keyId, true]]);
      expect(j.new.keyId).not.toBe(old!.id);
      // each server was seen verifying by its own diagnostics, and none is left unable to
      expect(j.servers.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('verified'));
      expect(globalconfOutages().filter((o) => o.to === null)).toEqual([]);
    },
    60_000,
  );

  it('regular change with a server that cannot download: it waits (exit 4) with the old key signing; abort deletes the new key', async () => {
    const [old] = await internal();
    E.sb.globalConf.setDownloadFailing('ss4', true);
    try {
      const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--poll', '100ms', '--timeout', '1', '--yes', '--json'], { env });
      expect(r.exitCode, r.stderr).toBe(4);
      const j = r.json().rotations[0];
      expect(j).toMatchObject({ status: 'waiting', waitingOn: 'global configuration distribution' });
      expect(j.steps.find((s: { name: string }) => s.name === 'wait-distributed').message).toMatch(/not yet seen the new verification certificate: ss4/);
      // never activated: the old key still signs, the new one waits beside it
      expect((await internal()).map((k) => [k.id, k.active])).toEqual([
        [old!.id, true],
        [j.new.keyId, false],
      ]);
      const a = await E.run(['rotate', 'abort', j.id, '--yes', '--json'], { env });
      expect(a.exitCode, a.stderr).toBe(0);
      expect(a.stderr).toContain(`undone: new key ${j.new.keyId} deleted`);
      expect((await internal()).map((k) => [k.id, k.active])).toEqual([[old!.id, true]]);
    } finally {
      E.sb.globalConf.setDownloadFailing('ss4', false);
    }
    expect(globalconfOutages().filter((o) => o.to === null)).toEqual([]);
  }, 60_000);

  it('plan reports a due key change (not applied) and health the key’s age and stale anchors', async () => {
    type Check = { name: string; status: string; message: string; remedy: string };
    const checks = async (): Promise<Record<string, Check[]>> => {
      const h = await E.run(['health', '-f', manifest, '--only', 'central', '--only', 'globalconf', '--json'], { env });
      expect(h.json().servers, h.stdout + h.stderr).toBeDefined();
      return Object.fromEntries(h.json().servers.map((s: { server: string; checks: Check[] }) => [s.server, s.checks]));
    };
    const fresh = await checks();
    expect(fresh.cs!.find((c) => c.name === 'signing-key-internal')).toMatchObject({
      status: 'OK',
      message: expect.stringMatching(/is 0 days old \(renewAfterDays 365\)/),
    });
    for (const ss of E.sb.ss) expect(fresh[ss.name]!.find((c) => c.name === 'anchor')?.status, ss.name).toBe('OK');

    E.sb.clock.advance(366 * 86_400_000);
    // apply leaves it to the runbook: plan reports it (!) with the command, and it carries no action
    const p1 = await E.run(['plan', manifest, '--json'], { env });
    expect(p1.exitCode, p1.stderr).toBe(0);
    const due = p1.json().servers.find((x: { server: string }) => x.server === 'cs').changes;
    // both sources are a year old (the external key was never changed here)
    expect(due.map((c: { kind: string; key: string; op: string }) => `${c.kind} ${c.key} ${c.op}`)).toEqual([
      'config-signing INTERNAL unsafe',
      'config-signing EXTERNAL unsafe',
    ]);
    expect(due[0].summary).toMatch(
      new RegExp(`^internal configuration signing key \\d+ is 366 days old \\(renewAfterDays 365\\): run xrdctl rotate config-signing -f ${manifest}$`),
    );
    expect(due.every((c: { action?: unknown }) => c.action === undefined)).toBe(true);
    // the central server re-creates its anchor (say, an emergency change done by hand): every server's is stale
    await csCall('PUT', '/configuration-sources/INTERNAL/anchor/re-create');
    const old = await checks();
    expect(old.cs!.find((c) => c.name === 'signing-key-internal')).toMatchObject({
      status: 'WARNING',
      remedy: expect.stringContaining('xrdctl rotate config-signing -f'),
    });
    for (const ss of E.sb.ss)
      expect(
        old[ss.name]!.find((c) => c.name === 'anchor'),
        ss.name,
      ).toMatchObject({ status: 'WARNING', message: expect.stringMatching(/^stale anchor/) });
  }, 60_000);

  it('--source external: the external key changes; the security servers (internal source) are not involved', async () => {
    const ext = async () => (await keys()).filter((k) => k.source === 'EXTERNAL');
    const [old] = await ext();
    const r = await E.run(['rotate', 'config-signing', '-f', manifest, '--source', 'external', ...fast, '--yes', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = r.json().rotations[0];
    expect(j.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'add-key:done',
      'wait-distributed:skipped',
      'activate-key:done',
      'verify-servers:skipped',
      'delete-old-key:done',
    ]);
    expect((await ext()).map((k) => [k.id, k.active])).toEqual([[j.new.keyId, true]]);
    expect(j.new.keyId).not.toBe(old!.id);
  }, 60_000);

  it.skipIf(!openApiDir())('every request and answer of these flows conforms to the OpenAPI files', async () => {
    const check: SandboxConformance = await sandboxConformance('real');
    const problems: string[] = [];
    const ops = new Set<string>();
    for (const x of E.sb.requests()) {
      // injected faults and the rate limit are not the server's answers
      if (x.status === 429 || x.fault) continue;
      if (!x.operationId) {
        problems.push(`${x.server} ${x.method} ${x.path}: no operation in the spec`);
        continue;
      }
      ops.add(x.operationId);
      problems.push(...check.entry(x));
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect([...ops]).toEqual(
      expect.arrayContaining([
        'addKey',
        'activateKey',
        'deleteKey',
        'reCreateAnchor',
        'downloadAnchor',
        'replaceAnchor',
        'getGlobalConfDiagnostics',
        'getConfigurationParts',
        'getTokens',
        'getAnchor',
      ]),
    );
  });

  /** A central server call with the admin key: what the CLI does not do (token logout/login), or a look at its keys. */
  async function csCall(method: string, path: string, body?: unknown): Promise<unknown> {
    const { request } = await import('node:https');
    const url = new URL(E.sb.cs.url + path);
    return new Promise<unknown>((resolve, reject) => {
      const req = request(
        url,
        { method, rejectUnauthorized: false, headers: { authorization: `X-Road-ApiKey token=${E.sb.cs.apiKeys.admin}`, 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode! >= 300) reject(new Error(`${method} ${path}: ${res.statusCode}`));
            else resolve(text && /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : undefined);
          });
        },
      );
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  }
});
