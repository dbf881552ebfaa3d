import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';

/** xrdctl sandbox start|status|fault|clock|env|stop|reset as a user runs them (a detached daemon). */
describe('sandbox commands', () => {
  const cfg = tempConfigDir();
  const dir = join(cfg, 'sandbox');
  const run = (args: string[]) => runCli([...args], { configDir: cfg, env: { XRDCTL_SANDBOX_DIR: dir } });
  afterAll(async () => {
    await run(['sandbox', 'stop']);
  });

  it('start --detach writes 0600 secrets and contexts; keys are printed only when asked', async () => {
    const r = await run(['sandbox', 'start', '--detach', '--security-servers', '2', '--write-contexts', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    await expectConforms('sandbox:start', r.json());
    const doc = r.json();
    expect(doc).toMatchObject({ detached: true, contexts: ['sandbox-cs', 'sandbox-ss1', 'sandbox-ss2'], apiKeys: null });
    expect(doc.ss.map((s: any) => s.url)).toEqual([
      expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/),
      expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/),
    ]);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'));
    const key = secrets.servers.ss1.api_keys.admin;
    expect(r.stdout + r.stderr).not.toContain(key);
    const again = await run(['sandbox', 'start', '--detach']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already running/);
    const info = await run(['server', 'info', '-c', 'sandbox-ss1', '--json']);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(info.stdout).not.toContain(key);
  });

  it('status, clock and faults drive the running daemon', async () => {
    const st = await run(['sandbox', 'status', '--json']);
    expect(st.json()).toMatchObject({ running: true });
    const before = Date.parse(st.json().now);
    const clock = await run(['sandbox', 'clock', '--advance', '30d', '--json']);
    expect(Date.parse(clock.json().now) - before).toBeGreaterThan(29 * 86_400_000);
    const add = await run([
      'sandbox',
      'fault',
      'add',
      '--server',
      'ss1',
      '--operation',
      'getTokens',
      '--status',
      '503',
      '--code',
      'signer_unavailable',
      '--times',
      '5',
      '--json',
    ]);
    expect(add.exitCode, add.stderr).toBe(0);
    const list = await run(['sandbox', 'fault', 'list', '--json']);
    expect(list.json().faults).toEqual([expect.objectContaining({ server: 'ss1', operation: 'getTokens', status: 503 })]);
    // 503 on a GET is retried a bounded number of times, then reported with server, step and code
    const failing = await run(['token', 'list', '-c', 'sandbox-ss1']);
    expect(failing.exitCode).toBe(1);
    expect(failing.stderr).toMatch(/^error: sandbox-ss1 step list-tokens: 503 signer_unavailable/m);
    expect((await run(['sandbox', 'fault', 'clear', '--json'])).exitCode).toBe(0);
    expect((await run(['token', 'list', '-c', 'sandbox-ss1'])).exitCode).toBe(0);
    const bad = await run(['sandbox', 'fault', 'add', '--server', 'ss1', '--operation', 'x']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/needs one of --status, --latency, --reset, --hang/);
  });

  it('stop ends it; reset refuses while running and wipes the state after', async () => {
    expect((await run(['sandbox', 'reset', '--yes'])).exitCode).toBe(1);
    const stop = await run(['sandbox', 'stop', '--json']);
    expect(stop.json()).toMatchObject({ stopped: true });
    expect((await run(['sandbox', 'status', '--json'])).json()).toMatchObject({ running: false });
    const noYes = await run(['sandbox', 'reset']);
    expect(noYes.exitCode).toBe(2);
    const reset = await run(['sandbox', 'reset', '--yes', '--json']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });
});
