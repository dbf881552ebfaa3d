import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContext } from '../../src/config/context-ops.js';
import { runCli, tempConfigDir } from '../support/cli.js';
import { NASTY, startHostileServer, type Corruption } from '../support/hostile-server.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { SecretScan } from '../support/secret-scan.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * A hostile server: huge and endless bodies, a redirect to another host, a wrong and a changing
 * certificate, control characters and look-alike ids in every string. The CLI (a real process,
 * measured with /usr/bin/time-like accounting from the child's resource usage) stays within a
 * memory and a time bound, never sends the key to a peer whose certificate is not the pinned one,
 * and never prints a raw control character.
 */
describe('hostile server', () => {
  let E: SandboxEnv;
  const closers: (() => Promise<void>)[] = [];
  const key = 'hostile-api-key-7f3a9c21';
  const results: string[] = [];
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1, gcIntervalMs: 300 });
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
    await E?.stop();
    console.log(`hostile server: ${results.length} scenarios\n${results.join('\n')}`);
  });

  const contextFor = async (url: string, fingerprint: string, apiKey = key) => {
    const cfg = tempConfigDir();
    const f = join(cfg, 'k');
    writeFileSync(f, apiKey, { mode: 0o600 });
    await addContext({ name: 'h', kind: 'security', url, apiKey: `file:${f}`, tlsFingerprint: fingerprint }, { env: { XRDCTL_CONFIG_DIR: cfg } });
    return cfg;
  };
  /** run with a heap cap: a CLI that buffered an endless body would die of it instead of passing */
  const run = (cfg: string, args: string[], timeout = '3') =>
    runCli([...args, '-c', 'h'], { configDir: cfg, env: { XRDCTL_TIMEOUT: timeout, NODE_OPTIONS: '--max-old-space-size=160' }, timeoutMs: 60_000 });

  it('huge and endless bodies: refused within memory and time bounds, one line naming server and step', async () => {
    for (const kind of ['huge', 'endless'] as Corruption[]) {
      const h = await startHostileServer({ rule: (r) => (r.url.includes('/tokens') ? kind : undefined) });
      closers.push(h.close);
      const cfg = await contextFor(h.url, h.fingerprint);
      const t0 = Date.now();
      const r = await run(cfg, ['token', 'list'], '2');
      const ms = Date.now() - t0;
      expect(r.exitCode, `${kind}: ${r.stderr}`).toBe(1);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([expect.stringMatching(/^error: h step list-tokens: /)]);
      expect(r.stderr).not.toMatch(/heap|out of memory|\n\s+at /i);
      expect(ms).toBeLessThan(20_000);
      results.push(`  ${kind} body: exit ${r.exitCode} in ${ms} ms under a 160 MB heap: ${r.stderr.split('\n')[0]}`);
    }
  });

  it('a redirect to another host is not followed; the key goes nowhere else', async () => {
    const h = await startHostileServer({ rule: () => 'redirect' });
    closers.push(h.close);
    const cfg = await contextFor(h.url, h.fingerprint);
    const r = await run(cfg, ['server', 'info']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/redirect to https:\/\/203\.0\.113\.7.*not followed/);
    results.push(`  redirect: exit ${r.exitCode}: ${r.stderr.split('\n')[0]}`);
  });

  it('a wrong certificate, and one that changes after the first connection: exit 3, the key is never sent to the unpinned peer', async () => {
    const ss1 = E.sb.ss[0]!;
    // wrong: a server whose certificate is not the pinned one (pinned: the sandbox's)
    const wrong = await startHostileServer({});
    closers.push(wrong.close);
    const cfg = await contextFor(wrong.url, ss1.fingerprint);
    for (const args of [
      ['server', 'info'],
      ['token', 'list'],
      ['client', 'add', 'DEV:GOV:1001:X'],
      ['csr', 'create', '--usage', 'auth', '--ca', 'Sandbox CA'],
    ]) {
      const r = await run(cfg, args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/fingerprint mismatch/);
    }
    // a monitoring command reports it as a row: CRITICAL (exit 2), since a changed certificate may be an attack
    const mon = await run(cfg, ['cert', 'expiry']);
    expect(mon.exitCode, mon.stdout + mon.stderr).toBe(2);
    expect(mon.stdout).toMatch(/fingerprint mismatch/);
    expect(wrong.received).toEqual([]);
    // changing: the first connection has the pinned certificate, every later one a new certificate
    const changing = await startHostileServer({ changingCert: true });
    closers.push(changing.close);
    const cfg2 = await contextFor(changing.url, changing.fingerprint);
    const first = await run(cfg2, ['server', 'info']);
    const second = await run(cfg2, ['server', 'info']);
    expect(first.exitCode + second.exitCode).toBeGreaterThan(0);
    expect(second.exitCode).toBe(3);
    // the key only ever travelled on connections that presented the pinned certificate
    const withKey = changing.received.filter((q) => q.authorization?.includes(key));
    expect(withKey.length).toBeGreaterThan(0);
    expect(
      withKey.every((q) => q.certificate === changing.fingerprint),
      JSON.stringify(withKey.map((q) => q.certificate)),
    ).toBe(true);
    const scan = new SecretScan([key]).text('1', first.stdout + first.stderr).text('2', second.stdout + second.stderr);
    expect(scan.findings).toEqual([]);
    results.push(
      `  wrong certificate: exit 3 from 5 commands, ${wrong.received.length} requests reached it; changing certificate: exit ${first.exitCode} then ${second.exitCode}`,
    );
  });

  it('control characters and look-alike ids in every string of every answer: never printed raw, never a stack trace', async () => {
    const ss1 = E.sb.ss[0]!;
    const h = await startHostileServer({ upstream: { url: ss1.url, fingerprint: ss1.fingerprint }, rule: () => 'control-chars' });
    closers.push(h.close);
    const cfg = await contextFor(h.url, h.fingerprint, ss1.apiKeys.admin!);
    const cmds = [
      ['server', 'info'],
      ['token', 'list'],
      ['key', 'list'],
      ['cert', 'list'],
      ['cert', 'expiry'],
      ['client', 'list'],
      ['csr', 'create', '--usage', 'auth', '--ca', 'Sandbox CA'],
    ];
    for (const args of cmds) {
      for (const json of [false, true]) {
        const r = await run(cfg, json ? [...args, '--json'] : args, '20');
        // 2: the server's garbage CA names do not match --ca (a usage error), which is right
        expect([0, 1, 2], `${args.join(' ')}: ${r.stderr}`).toContain(r.exitCode);
        expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(RAW_CONTROL);
        expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).not.toMatch(/^error: forged line/m);
        if (json) expect(() => JSON.parse(r.stdout)).not.toThrow();
      }
    }
    expect(NASTY).toMatch(RAW_CONTROL);
    results.push(`  control characters and look-alikes: ${cmds.length} commands × human/JSON, no raw control character printed`);
  });
});
