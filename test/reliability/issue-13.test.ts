import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContext } from '../../src/config/context-ops.js';
import { withFileLock } from '../../src/fs/files.js';
import { loadManifest } from '../../src/manifest/index.js';
import { binPath, repoRoot, runCli, tempConfigDir } from '../support/cli.js';
import { startHostileServer, type Corruption } from '../support/hostile-server.js';
import { manifestEnv } from '../support/manifest-env.js';
import { startMiniServer } from '../support/mini-server.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { SecretScan } from '../support/secret-scan.js';

/** Raw characters that must never reach a terminal: C0 (but newline and tab), DEL, C1, bidi, zero-width. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const work = mkdtempSync(join(tmpdir(), 'xrdctl-issue13-'));
const W = (n: string) => join(work, n);
const good = readFileSync(join(repoRoot, 'examples/small/manifest.yaml'), 'utf8');

/** One test per item of issue 13; each fails on the behaviour the issue reports. */
describe('issue 13: hostile input, faults and crashes', () => {
  let E: SandboxEnv;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1, gcIntervalMs: 200 });
  });
  afterAll(async () => E?.stop());

  /** contexts for a hostile server in front of ss1 (pinned to the hostile server's certificate) */
  const viaHostile = async (rule: (url: string) => Corruption | undefined) => {
    const ss1 = E.sb.ss[0]!;
    const h = await startHostileServer({ upstream: { url: ss1.url, fingerprint: ss1.fingerprint }, rule: (r) => rule(r.url) });
    const configDir = tempConfigDir();
    const key = W(`h-${Date.now()}-${Math.random()}.key`);
    writeFileSync(key, ss1.apiKeys.admin!, { mode: 0o600 });
    await addContext(
      { name: 'hs', kind: 'security', url: h.url, apiKey: `file:${key}`, tlsFingerprint: h.fingerprint },
      { env: { XRDCTL_CONFIG_DIR: configDir } },
    );
    return { h, run: (args: string[]) => runCli([...args, '-c', 'hs'], { configDir, env: { XRDCTL_TIMEOUT: '5' } }) };
  };

  it('item 1: tls keygen --force over a 0644 file leaves it 0600; through a symlink it refuses and the target is untouched', async () => {
    const k = W('k.pem');
    writeFileSync(k, 'old', { mode: 0o644 });
    chmodSync(k, 0o644);
    const r = await runCli(['tls', 'keygen', '--out', k, '--force']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    expect(readFileSync(k, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const target = W('target.txt');
    writeFileSync(target, 'precious', { mode: 0o644 });
    const link = W('link.pem');
    symlinkSync(target, link);
    const s = await runCli(['tls', 'keygen', '--out', link, '--force']);
    expect(s.exitCode).toBe(2);
    expect(s.stderr).toMatch(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    // without --force an existing file is kept
    const again = await runCli(['tls', 'keygen', '--out', k]);
    expect(again.exitCode).toBe(2);
  });

  it('item 2: a look-alike id (U+200B, U+202E, escaped or raw, a Cyrillic letter) is refused at file:line:col, before any request', async () => {
    const env = manifestEnv(E.sb);
    const variants: [string, string][] = [
      ['raw ZWSP', good.replace('- id: "DEV:GOV:1001:BUDGET"', '- id: "DEV:GOV:1001:BUDGET\u200b"')],
      ['escaped ZWSP', good.replace('- id: "DEV:GOV:1001:BUDGET"', '- id: "DEV:GOV:1001:BUDGET\\u200B"')],
      ['RLO', good.replace('- id: "DEV:GOV:1001:BUDGET"', '- id: "DEV:GOV:1001:\u202eTEGDUB"')],
      ['Cyrillic E', good.replace('- id: "DEV:GOV:1001:BUDGET"', '- id: "DEV:GOV:1001:BUDG\u0415T"')],
      ['full-width', good.replace('- id: "DEV:GOV:1001:BUDGET"', '- id: "DEV:GOV:1001:\uff22UDGET"')],
    ];
    for (const [what, text] of variants) {
      const f = W(`lookalike-${what.replace(/\W/g, '')}.yaml`);
      const final = text.replace('securityServers:\n  - name: ss1', 'securityServers:\n  - name: ss1\n    prune: { clients: true }');
      writeFileSync(f, final);
      const line = final.split('\n').findIndex((l) => /- id: "DEV:GOV:1001:(?!BUDGET")/.test(l)) + 1;
      E.sb.clearRequests();
      for (const cmd of ['validate', 'plan']) {
        const r = await E.run([cmd, f], { env });
        expect(r.exitCode, `${what} ${cmd}: ${r.stderr}`).toBe(2);
        expect(r.stderr, what).toMatch(new RegExp(`lookalike-\\w+\\.yaml:\\d+:\\d+`));
        expect(r.stderr).toContain(`:${line}:`);
        expect(r.stderr).not.toMatch(RAW_CONTROL);
      }
      expect(E.sb.requests(), `${what}: no request for invalid input`).toHaveLength(0);
    }
    // flags too: one line, exit 2, nothing sent
    const f = await E.run(['client', 'add', 'DEV:GOV:1001:BUDGET\u200b', '-c', 'ss1']);
    expect(f.exitCode).toBe(2);
    expect(
      f.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toHaveLength(1);
    expect(f.stderr).toMatch(/U\+200B/);
    const g = await E.run(['access', 'grant', '--client', 'DEV:GOV:1001:BUD;GET', '--subject', 'DEV:GOV:1002:TAXES', '--service', 'x', '-c', 'ss1']);
    expect(g.exitCode).toBe(2);
    expect(E.sb.requests()).toHaveLength(0);
  });

  // items 3, 9 and 10 (the planner's): test/reliability/lead-items.test.ts

  it('item 4: NODE_DEBUG=http (or a wildcard) is refused while an API key is loaded; the key is never printed nor sent', async () => {
    const key = 'nodedebug-secret-key-4711';
    const srv = await startMiniServer({ apiKey: key });
    try {
      const cfg = tempConfigDir();
      await addContext({ name: 'm', kind: 'security', url: srv.url, apiKey: 'env:K4', tlsFingerprint: srv.fingerprint }, { env: { XRDCTL_CONFIG_DIR: cfg } });
      for (const nd of ['http', 'https,net', 'tls', '*', 'HTTP*']) {
        const r = await runCli(['server', 'info', '-c', 'm'], { configDir: cfg, env: { K4: key, NODE_DEBUG: nd } });
        expect(r.exitCode, nd).toBe(2);
        expect(r.stderr).toMatch(/NODE_DEBUG/);
        const scan = new SecretScan([key]).text('stdout', r.stdout).text('stderr', r.stderr);
        expect(scan.findings, nd).toEqual([]);
      }
      expect(srv.received).toHaveLength(0);
      const ok = await runCli(['server', 'info', '-c', 'm'], { configDir: cfg, env: { K4: key, NODE_DEBUG: 'module' } });
      expect(ok.exitCode, ok.stderr).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('item 5: eight parallel context adds all survive (contexts.json is locked); a stale lock is broken, a live one waited for and bounded', async () => {
    const cfg = tempConfigDir();
    const rs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runCli(['context', 'add', `p${i}`, '--kind', 'security', '--url', 'https://127.0.0.1:4000', '--api-key', 'env:X'], { configDir: cfg }),
      ),
    );
    for (const r of rs) expect(r.exitCode, r.stderr).toBe(0);
    const names = Object.keys(JSON.parse(readFileSync(join(cfg, 'contexts.json'), 'utf8')).contexts).sort();
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(statSync(join(cfg, 'contexts.json')).mode & 0o777).toBe(0o600);
    // a crashed holder (its pid is gone) does not block
    const dead = execFileSync(process.execPath, ['-e', 'console.log(process.pid)']).toString().trim();
    writeFileSync(join(cfg, 'contexts.json.lock'), `${dead} ${Date.now()} x`);
    const t0 = Date.now();
    const r = await runCli(['context', 'add', 'after-crash', '--kind', 'security', '--url', 'https://127.0.0.1:4000', '--api-key', 'env:X'], {
      configDir: cfg,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(join(cfg, 'contexts.json.lock'))).toBe(false);
    // a live holder is waited for, within a bound
    const lock = join(cfg, 'held.lock');
    let second = 0;
    await withFileLock(lock, async () => {
      await expect(withFileLock(lock, () => second++, { timeoutMs: 300 })).rejects.toThrow(/locked by process/);
    });
    await withFileLock(lock, () => second++, { timeoutMs: 300 });
    expect(second).toBe(1);
  });

  it('item 6: control characters from a server (version, token and client names) never reach the terminal raw; JSON escapes them', async () => {
    const { h, run } = await viaHostile(() => 'control-chars');
    try {
      for (const args of [
        ['server', 'info'],
        ['token', 'list'],
        ['client', 'list'],
        ['key', 'list'],
      ]) {
        const human = await run(args);
        expect(human.exitCode, `${args.join(' ')}: ${human.stderr}`).toBe(0);
        expect(human.stdout + human.stderr, args.join(' ')).not.toMatch(RAW_CONTROL);
        expect(human.stdout).not.toMatch(/^error: forged line/m);
        const json = await run([...args, '--json']);
        expect(json.exitCode).toBe(0);
        expect(json.stdout).not.toMatch(RAW_CONTROL);
        // the data is still there, escaped, for a program to see
        if (args[1] !== 'list' || args[0] !== 'key') expect(JSON.stringify(json.json()), args.join(' ')).toContain('\\u001b');
      }
    } finally {
      await h.close();
    }
    // and from manifests: refused with a position, shown escaped
    const f = W('ctl.yaml');
    writeFileSync(f, good.replace('name: Ministry of Finance', 'name: "Ministry\u001b]0;owned\u0007 of Finance"'));
    const r = await runCli(['validate', f], { env: manifestEnv(E.sb) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toMatch(/ctl\.yaml:\d+:\d+/);
  });

  it('item 7: a contexts.json writable by others, or a config folder writable by others, is refused with a remedy', async () => {
    const cfg = tempConfigDir();
    await addContext({ name: 'a', kind: 'security', url: 'https://127.0.0.1:4000', apiKey: 'env:X' }, { env: { XRDCTL_CONFIG_DIR: cfg } });
    chmodSync(join(cfg, 'contexts.json'), 0o666);
    const r = await runCli(['context', 'list'], { configDir: cfg });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/writable by others.*refusing/);
    expect(r.stderr).toMatch(/hint: chmod go-w/);
    chmodSync(join(cfg, 'contexts.json'), 0o600);
    chmodSync(cfg, 0o777);
    const d = await runCli(['server', 'info', '-c', 'a'], { configDir: cfg });
    expect(d.exitCode).toBe(2);
    expect(d.stderr).toMatch(/config folder is writable by others/);
    chmodSync(cfg, 0o770);
    expect((await runCli(['context', 'list'], { configDir: cfg })).stderr).toMatch(/writable by group/);
    chmodSync(cfg, 0o700);
    expect((await runCli(['context', 'list'], { configDir: cfg })).exitCode).toBe(0);
  });

  it('item 8: /dev/zero, a FIFO and a process substitution as manifest, secret or certificate are refused at once; 40k unknown keys and a 5 MB did-you-mean stay linear', async () => {
    const fifo = W('fifo');
    execFileSync('mkfifo', [fifo]);
    const cfg = tempConfigDir();
    await addContext(
      { name: 'z', kind: 'security', url: E.sb.ss[0]!.url, apiKey: 'file:/dev/zero', tlsFingerprint: E.sb.ss[0]!.fingerprint },
      { env: { XRDCTL_CONFIG_DIR: cfg } },
    );
    await addContext(
      { name: 'f', kind: 'security', url: E.sb.ss[0]!.url, apiKey: `file:${fifo}`, tlsFingerprint: E.sb.ss[0]!.fingerprint },
      { env: { XRDCTL_CONFIG_DIR: cfg } },
    );
    const cases: [string, string[]][] = [
      ['manifest /dev/zero', ['validate', '/dev/zero']],
      ['manifest FIFO', ['validate', fifo]],
      ['secret /dev/zero', ['server', 'info', '-c', 'z']],
      ['secret FIFO', ['server', 'info', '-c', 'f']],
      ['certificate /dev/zero', ['cert', 'import', '/dev/zero', '-c', 'z']],
      ['key FIFO', ['tls', 'csr', '--key', fifo, '--subject', 'CN=x']],
    ];
    for (const [what, args] of cases) {
      const t0 = Date.now();
      const r = await runCli(args, { configDir: cfg, timeoutMs: 20_000 });
      expect(r.exitCode, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toMatch(/FIFO|character device|regular file/);
      expect(Date.now() - t0, what).toBeLessThan(15_000);
    }
    const sub = execFileSync('bash', ['-c', `node ${binPath} validate <(cat ${join(repoRoot, 'examples/small/manifest.yaml')}); echo "exit=$?"`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XRDCTL_CONFIG_DIR: cfg },
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    expect(sub).toMatch(/exit=2/);

    const many = W('many.yaml');
    writeFileSync(many, 'apiVersion: xrdctl/v1\ninstance: DEV\n' + Array.from({ length: 40_000 }, (_, i) => `k${i}: v`).join('\n') + '\n');
    let t0 = Date.now();
    const r1 = await loadManifest([many]);
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(r1.errors.length).toBeLessThanOrEqual(52);
    expect(r1.errors.at(-1)!.message).toMatch(/more problem/);

    const big = W('big.yaml');
    writeFileSync(big, good.replace('type: OPENAPI3', `type: ${'OPENAPI3'.repeat(640_000)}`));
    const before = process.memoryUsage().rss;
    t0 = Date.now();
    const r2 = await loadManifest([big], { env: manifestEnv(E.sb) });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
    expect(r2.errors.length).toBeGreaterThan(0);
    expect(r2.errors.every((e) => e.oneLine().length < 1000)).toBe(true);
  });

  it('item 11: toString, constructor and __proto__ are contexts only when added', async () => {
    const cfg = tempConfigDir();
    await addContext({ name: 'real', kind: 'security', url: 'https://127.0.0.1:4000', apiKey: 'env:X' }, { env: { XRDCTL_CONFIG_DIR: cfg } });
    for (const n of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      for (const args of [
        ['context', 'show', n],
        ['context', 'use', n],
        ['context', 'remove', n],
        ['server', 'info', '-c', n],
      ]) {
        const r = await runCli(args, { configDir: cfg });
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    }
    // a contexts file that says __proto__ is data, not a prototype
    writeFileSync(join(cfg, 'contexts.json'), '{"contexts": {"__proto__": {"kind": "security", "url": "https://127.0.0.1:1", "apiKey": "env:X"}}}', {
      mode: 0o600,
    });
    const l = await runCli(['context', 'list', '--json'], { configDir: cfg });
    expect(l.exitCode, l.stderr).toBe(2); // not a valid context name
    const add = await runCli(['context', 'add', 'constructor', '--kind', 'security', '--url', 'https://127.0.0.1:4000', '--api-key', 'env:X'], {
      configDir: tempConfigDir(),
    });
    expect(add.exitCode, add.stderr).toBe(0);
  });

  it('item 12: a garbage 2xx (HTML, invalid JSON, null, the wrong shape, truncated) is an error naming server and step, exit 1, never "internal error"', async () => {
    for (const kind of ['html-200', 'invalid-json', 'null', 'schema', 'truncated'] as Corruption[]) {
      const { h, run } = await viaHostile((u) => (u.startsWith('/api/v1/tokens') ? kind : undefined));
      try {
        const r = await run(['token', 'list']);
        expect(r.exitCode, `${kind}: ${r.stderr}`).toBe(1);
        const lines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
        expect(lines, kind).toHaveLength(1);
        expect(lines[0], kind).toMatch(/^error: hs step list-tokens: /);
        expect(r.stderr, kind).not.toMatch(/internal error|is not a function|Cannot read prop|\n\s+at /);
      } finally {
        await h.close();
      }
    }
  });

  it('item 13: csr create --out into a missing folder fails before anything is created on the server', async () => {
    const before = (await E.run(['key', 'list', '-c', 'ss1', '--json'])).json();
    E.sb.clearRequests();
    const r = await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', W('no/such/dir/auth.csr')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
    expect(E.sb.requests().filter((q) => q.write)).toHaveLength(0);
    expect((await E.run(['key', 'list', '-c', 'ss1', '--json'])).json()).toEqual(before);
    // and a symlink as --out is refused, also before the server is touched
    mkdirSync(W('csrdir'), { recursive: true });
    symlinkSync('/etc/passwd', W('csrdir/l.csr'));
    E.sb.clearRequests();
    const s = await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', W('csrdir/l.csr')]);
    expect(s.exitCode).toBe(2);
    expect(E.sb.requests().filter((q) => q.write)).toHaveLength(0);
  });
});
