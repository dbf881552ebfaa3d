import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../support/cli.js';
import { expectConforms } from '../support/contract.js';
import { startMiniServer } from '../support/mini-server.js';

const API_KEY = 'k3y-' + 'f00dfeedcafe1234';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('foundations: CLI as a process against a local HTTPS server', () => {
  let srv: Awaited<ReturnType<typeof startMiniServer>>;
  let cfg: string;
  const env = () => ({ XRD_KEY: API_KEY });

  beforeAll(async () => {
    srv = await startMiniServer({
      apiKey: API_KEY,
      handler: (r) => {
        // an error whose body echoes the key: the CLI must never show it
        if (r.url.includes('/echo-key')) return { status: 500, body: { status: 500, error: { code: 'internal_error', metadata: [`token=${API_KEY}`] } } };
        if (r.url.startsWith('/api/v1/hang')) return { status: 200, body: {}, delayMs: 5000 };
        return undefined;
      },
    });
    cfg = tempConfigDir();
    const add = await runCli(
      ['context', 'add', 'ss1', '--kind', 'security', '--url', srv.url, '--api-key', 'env:XRD_KEY', '--tls-fingerprint', srv.fingerprint, '--json'],
      { configDir: cfg },
    );
    expect(add.exitCode, add.stderr).toBe(0);
    await expectConforms('context:add', add.json());
  });
  afterAll(async () => srv?.close());

  it('--version and --help succeed', async () => {
    const v = await runCli(['--version']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toMatch(/^xrdctl\/\d+\.\d+\.\d+/);
    const h = await runCli(['--help']);
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toContain('context');
  });

  it('server info --json prints one document matching the schema, exit 0', async () => {
    const r = await runCli(['server', 'info', '--json'], { configDir: cfg, env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json();
    await expectConforms('server:info', doc);
    expect(doc.version).toBe('7.8.1-sandbox');
    expect(doc.tokens[0]).toMatchObject({ id: '0', loggedIn: false });
    expect(r.stdout).not.toContain(API_KEY);
  });

  it('human output: NO_COLOR and --no-color remove escape codes, FORCE_COLOR adds them', async () => {
    const forced = await runCli(['context', 'list'], { configDir: cfg, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(ANSI);
    const noColor = await runCli(['context', 'list'], { configDir: cfg, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toMatch(ANSI);
    const flag = await runCli(['context', 'list', '--no-color'], { configDir: cfg, env: { FORCE_COLOR: '1' } });
    expect(flag.stdout).not.toMatch(ANSI);
    const err = await runCli(['server', 'info', '--context', 'nope'], { configDir: cfg, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(err.stderr).not.toMatch(ANSI);
  });

  it('a wrong TLS pin fails with exit 3 before any request (API key) is sent', async () => {
    const c2 = tempConfigDir();
    // another first byte than the real one (the server's certificate is new each run: 'AA:' + the rest was the right pin one run in 256)
    const wrong = (srv.fingerprint.startsWith('AA') ? 'BB' : 'AA') + srv.fingerprint.slice(2);
    expect(wrong).not.toBe(srv.fingerprint);
    await runCli(['context', 'add', 'ss1', '--kind', 'security', '--url', srv.url, '--api-key', 'env:XRD_KEY', '--tls-fingerprint', wrong], { configDir: c2 });
    const before = srv.received.length;
    const r = await runCli(['server', 'info', '--json'], { configDir: c2, env: env() });
    expect(r.exitCode).toBe(3);
    expect(r.json().error.code).toBe('tls');
    expect(r.stderr).toMatch(/fingerprint mismatch/);
    expect(srv.received.length).toBe(before);
  });

  it('without a pin the self-signed certificate is refused (exit 3), no verification bypass exists', async () => {
    const c3 = tempConfigDir();
    await runCli(['context', 'add', 'ss1', '--kind', 'security', '--url', srv.url, '--api-key', 'env:XRD_KEY'], { configDir: c3 });
    const before = srv.received.length;
    const r = await runCli(['server', 'info'], { configDir: c3, env: env() });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/TLS verification failed/);
    expect(srv.received.length).toBe(before);
    const insecure = await runCli(['server', 'info', '--insecure'], { configDir: c3, env: env() });
    expect(insecure.exitCode).toBe(2);
  });

  it('a refused API key is exit 3 with one JSON error document', async () => {
    const r = await runCli(['server', 'info', '--json'], { configDir: cfg, env: { XRD_KEY: 'wrong-key-123' } });
    expect(r.exitCode).toBe(3);
    const doc = r.json();
    await expectConforms('server:info', doc);
    expect(doc.error).toMatchObject({ code: 'auth', status: 401, server: 'ss1' });
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: ss1 step get-[a-z-]+: 401 unauthorized/);
  });

  it('secrets from env or file never appear in any output, even --verbose errors', async () => {
    const keyFile = join(cfg, 'key');
    writeFileSync(keyFile, API_KEY + '\n');
    chmodSync(keyFile, 0o600);
    const c4 = tempConfigDir();
    const badUrl = srv.url.replace('/api/v1', '/api/v1/echo-key');
    await runCli(['context', 'add', 'f', '--kind', 'security', '--url', badUrl, '--api-key', `file:${keyFile}`, '--tls-fingerprint', srv.fingerprint], {
      configDir: c4,
    });
    await runCli(['context', 'add', 'e', '--kind', 'security', '--url', badUrl, '--api-key', 'env:XRD_KEY', '--tls-fingerprint', srv.fingerprint], {
      configDir: c4,
    });
    for (const ctx of ['f', 'e']) {
      for (const extra of [[], ['--json'], ['--verbose'], ['--json', '--verbose']]) {
        const r = await runCli(['server', 'info', '--context', ctx, ...extra], { configDir: c4, env: env() });
        expect(r.exitCode).toBe(1);
        expect(r.stdout + r.stderr).not.toContain(API_KEY);
        expect(r.stdout + r.stderr).toContain('***');
      }
    }
    const show = await runCli(['context', 'show', 'f', '--json'], { configDir: c4, env: env() });
    expect(show.stdout).not.toContain(API_KEY);
  });

  it('a prompt off a terminal fails naming what to pass, exit 2', async () => {
    const c5 = tempConfigDir();
    await runCli(['context', 'add', 'p', '--kind', 'security', '--url', srv.url, '--api-key', 'prompt', '--tls-fingerprint', srv.fingerprint], {
      configDir: c5,
    });
    const r = await runCli(['server', 'info'], { configDir: c5 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no prompt can be shown/);
    expect(r.stderr).toMatch(/hint: pass /);
  });

  it('bad input: each a one-line error with exit 2', async () => {
    const c6 = tempConfigDir();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['server', 'info', '--context', 'ghost'], {}, /unknown context 'ghost'/],
      [['context', 'add', 'x', '--kind', 'security', '--url', 'not a url', '--api-key', 'env:K'], {}, /not a valid URL/],
      [['context', 'add', 'x', '--kind', 'security', '--url', 'http://plain', '--api-key', 'env:K'], {}, /must use https/],
      [['context', 'add', 'x', '--kind', 'security', '--url', srv.url, '--api-key', 'inline-secret-value'], {}, /not a secret reference/],
      [['context', 'add', 'x', '--kind', 'security', '--url', srv.url, '--api-key', 'env:K', '--tls-fingerprint', 'zz'], {}, /not a SHA-256 fingerprint/],
      [['context', 'add', 'x', '--kind', 'nope', '--url', srv.url, '--api-key', 'env:K'], {}, /Expected --kind=nope/],
      [['server', 'info', '--no-such-flag'], {}, /Nonexistent flag/],
    ];
    for (const [args, e, re] of cases) {
      const r = await runCli(args, { configDir: c6, env: e });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    // missing env var and unreadable secret file
    await runCli(['context', 'add', 'm', '--kind', 'security', '--url', srv.url, '--api-key', 'env:XRD_MISSING', '--tls-fingerprint', srv.fingerprint], {
      configDir: c6,
    });
    const m = await runCli(['server', 'info', '--context', 'm'], { configDir: c6 });
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toMatch(/environment variable XRD_MISSING is not set/);
    await runCli(['context', 'add', 'u', '--kind', 'security', '--url', srv.url, '--api-key', 'file:/nonexistent/key', '--tls-fingerprint', srv.fingerprint], {
      configDir: c6,
    });
    const u = await runCli(['server', 'info', '--context', 'u', '--json'], { configDir: c6 });
    expect(u.exitCode).toBe(2);
    expect(u.json().error.message).toMatch(/cannot read secret file \/nonexistent\/key: ENOENT/);
  });

  it('warns when a secret file is readable by others, and still works', async () => {
    const keyFile = join(cfg, 'loose-key');
    writeFileSync(keyFile, API_KEY);
    chmodSync(keyFile, 0o644);
    const c7 = tempConfigDir();
    await runCli(['context', 'add', 'l', '--kind', 'security', '--url', srv.url, '--api-key', `file:${keyFile}`, '--tls-fingerprint', srv.fingerprint], {
      configDir: c7,
    });
    const r = await runCli(['server', 'info', '--json'], { configDir: c7 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/readable by group or others/);
    expect(r.json().warnings[0]).toMatch(/chmod 600/);
  });

  it('a GET that gets 503 is retried with backoff and succeeds', async () => {
    srv.setFlaky(2);
    const before = srv.received.length;
    const r = await runCli(['server', 'info', '--json'], { configDir: cfg, env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(srv.received.length - before).toBe(5); // 2 failures + 3 reads
  });
});
