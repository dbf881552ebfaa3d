import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli } from '../support/cli.js';
import { runInProcess } from '../support/inproc.js';
import { editedManifest, manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/**
 * Issue 12 (part B): what an operator at a terminal expects. One sandbox for the file; the CLI runs
 * as a child process (on a pseudo-terminal through script(1) where a prompt is the point).
 */
describe('operator experience: signals, confirmations, idempotence, visibility, noise', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  const manifest = join(repoRoot, 'examples/small/manifest.yaml');
  const writes = () => E.sb.requests().filter((r) => r.write);
  const baseEnv = () => ({
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    XRDCTL_CONFIG_DIR: E.configDir,
    XRDCTL_STATE_DIR: join(E.configDir, 'state'),
    ...env,
  });

  /** The CLI on a pseudo-terminal: answers `answer` once `when` shows on the screen. */
  const tty = async (args: string[], answer?: { when: RegExp; text: string }, term = 'dumb') => {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const p = execa('script', ['-qfec', 'stty cols 160 rows 50; ' + ['node', binPath, ...args].map(q).join(' '), '/dev/null'], {
      env: { ...baseEnv(), TERM: term },
      extendEnv: false,
      reject: false,
      cwd: E.work,
      timeout: 30_000,
      stdin: 'pipe',
    });
    let screen = '';
    let sent = false;
    p.stdout!.on('data', (c: Buffer) => {
      screen += c.toString();
      if (answer && !sent && answer.when.test(screen)) {
        sent = true;
        p.stdin!.write(answer.text + '\r');
      }
    });
    const r = await p;
    return { exitCode: r.exitCode, screen: screen.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;?]*[A-Za-z]', 'g'), '') };
  };

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
    env = manifestEnv(E.sb);
  });
  afterAll(async () => E?.stop());

  it('problem 7: SIGINT and SIGTERM during apply stop after the request in flight (exit 130 / 143, "interrupted at STEP; rerun to continue"); a rerun finishes', async () => {
    // every request to ss1 takes 150 ms: the signal lands while writes are under way
    E.sb.faults.add({ server: 'ss1', operation: '*', latencyMs: 150 });
    const interrupted = async (signal: 'SIGINT' | 'SIGTERM') => {
      const p = execa('node', [binPath, 'apply', manifest, '--yes'], { env: baseEnv(), extendEnv: false, reject: false, cwd: E.work, timeout: 60_000 });
      let err = '';
      const started = new Promise<void>((resolve) =>
        p.stderr!.on('data', (c: Buffer) => {
          err += c.toString();
          if (/ss1: /.test(err)) resolve();
        }),
      );
      await started;
      await new Promise((r) => setTimeout(r, 300));
      const before = writes().length;
      p.kill(signal);
      const r = await p;
      return { ...r, stderr: err + String(r.stderr ?? ''), after: writes().length - before };
    };
    const a = await interrupted('SIGINT');
    expect(a.exitCode, a.stderr).toBe(130);
    expect(a.stderr).toMatch(/^error: interrupted at \S+ .+; rerun to continue$/m);
    expect(a.stderr).not.toMatch(/\n\s+at /);
    // the request in flight on each lane may finish; nothing new starts (the apply runs 4 changes per server at most)
    expect(a.after).toBeLessThanOrEqual(8);
    const t = await interrupted('SIGTERM');
    expect(t.exitCode, t.stderr).toBe(143);
    expect(t.stderr).toMatch(/interrupted at .+; rerun to continue/);
    E.sb.faults.clear();
    const rerun = await E.run(['apply', manifest, '--yes', '--json'], { env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const again = await E.run(['apply', manifest, '--yes', '--json'], { env });
    expect(again.json()).toMatchObject({ changed: false });
  });

  it('problem 7: a reader that closes stdout early (| true) ends the CLI quietly with exit 141', async () => {
    const r = await execa('bash', ['-c', `node ${binPath} cs request list -c cs --json | true; echo "rc=\${PIPESTATUS[0]}" >&2`], {
      env: baseEnv(),
      extendEnv: false,
      reject: false,
      cwd: E.work,
    });
    expect(r.stderr.trim()).toBe('rc=141');
  });

  it('problem 2: irreversible steps want the server name typed at a terminal, --yes off one; "no" exits 0 with nothing changed; reversible ones keep y/N', async () => {
    const C = 'DEV:GOV:1001:BUDGET';
    // apply's confirmation names the irreversible change (a pruned access right)
    const prune = editedManifest(E.work, 'prune.yaml', (doc: any) => {
      doc.setIn(['securityServers', 0, 'clients', 0, 'serviceDescriptions', 0, 'services', 0, 'accessRights'], ['local:auditors']);
      doc.setIn(['securityServers', 0, 'clients', 0, 'prune'], { accessRights: true });
    });
    const before = writes().length;
    const a = await tty(['apply', prune], { when: /type ss1 to go on/, text: 'no' });
    expect(a.exitCode, a.screen).toBe(0);
    expect(a.screen).toMatch(/1 cannot be undone:\s+ss1: revoke DEV:GOV:1002:TAXES access to budget of DEV:GOV:1001:BUDGET/);
    expect(a.screen).toMatch(/nothing changed/);
    expect(a.screen).not.toMatch(/error/);
    expect(writes().length).toBe(before);
    // off a terminal the same apply needs --yes
    const off = await E.run(['apply', prune], { env });
    expect(off.exitCode).toBe(2);
    expect(off.stderr).toMatch(/pass --yes/);
    // cert unregister: typed name; a wrong name changes nothing
    const certs = (await E.run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates;
    const auth = certs.find((c: any) => c.usage === 'auth' && c.status === 'REGISTERED');
    const wrong = await tty(['cert', 'unregister', '-c', 'ss1', auth.hash, '--force'], { when: /type ss1 to go on/, text: 'ss2' });
    expect(wrong.exitCode, wrong.screen).toBe(0);
    expect(wrong.screen).toMatch(/FORCED past the safety check[\s\S]*type ss1 to go on/);
    expect(wrong.screen).toMatch(/not confirmed \(the answer was not ss1\): nothing changed/);
    expect(writes().length).toBe(before);
    const noYes = await E.run(['cert', 'delete', '-c', 'ss1', auth.hash, '--force']);
    expect(noYes.exitCode).toBe(2);
    // client delete of an unregistered client: typed; the right name deletes
    expect((await E.run(['client', 'add', '-c', 'ss1', 'DEV:GOV:1001:SCRATCH'])).exitCode).toBe(0);
    const del = await tty(['client', 'delete', '-c', 'ss1', 'DEV:GOV:1001:SCRATCH'], { when: /type ss1 to go on/, text: 'ss1' });
    expect(del.exitCode, del.screen).toBe(0);
    expect(del.screen).toMatch(/delete-client DEV:GOV:1001:SCRATCH: done/);
    // reversible: token logout is y/N, and n is exit 0
    const out = await tty(['token', 'logout', '-c', 'ss2'], { when: /\(y\/N\)/, text: 'n' });
    expect(out.exitCode, out.screen).toBe(0);
    expect(out.screen).toMatch(/nothing changed/);
    expect((await E.run(['token', 'list', '-c', 'ss2', '--json'])).json().tokens[0].loggedIn).toBe(true);
    expect(C).toBeTruthy();
  });

  it('problem 8: importing a certificate already there, deleting one already gone, adding a client that exists: changed false, exit 0, no write', async () => {
    // a sign certificate for a new key: key + CSR at the server, the sandbox CA signs it
    const csr = await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA']);
    expect(csr.exitCode, csr.stderr).toBe(0);
    // problem 10: with stdout redirected, only the PEM is on stdout; the status line is on stderr
    expect(csr.stdout).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----$/);
    expect(csr.stderr).toMatch(/key \S+ .*CSR \S+ for Sandbox CA/);
    writeFileSync(join(E.work, 'new-sign.crt'), E.sb.ca.sign(csr.stdout, { usage: 'SIGNING' }));
    const first = await E.run(['cert', 'import', '-c', 'ss1', 'new-sign.crt', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ changed: true, usage: 'sign' });
    const hash = first.json().hash;
    const n = writes().length;
    const again = await E.run(['cert', 'import', '-c', 'ss1', 'new-sign.crt', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ changed: false, hash });
    expect(writes().length).toBe(n);
    const del = await E.run(['cert', 'delete', '-c', 'ss1', hash, '--yes', '--json']);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.json()).toMatchObject({ changed: true });
    const gone = await E.run(['cert', 'delete', '-c', 'ss1', hash, '--yes', '--json']);
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(gone.json()).toMatchObject({ changed: false });
    const client = await E.run(['client', 'add', '-c', 'ss1', 'DEV:GOV:1001:BUDGET', '--json']);
    expect(client.json()).toMatchObject({ changed: false });
    const key = await E.run(['key', 'delete', '-c', 'ss1', 'no-such-key', '--yes', '--json']);
    expect(key.exitCode, key.stderr).toBe(0);
    expect(key.json()).toMatchObject({ changed: false });
    const csrGone = await E.run(['csr', 'delete', '-c', 'ss1', 'no-such-key', 'no-such-csr', '--json']);
    expect(csrGone.exitCode, csrGone.stderr).toBe(0);
    expect(csrGone.json()).toMatchObject({ changed: false });
    const unreg = await E.run(['client', 'unregister', '-c', 'ss1', 'DEV:GOV:1001:NEVER', '--yes', '--json']);
    expect(unreg.exitCode, unreg.stderr).toBe(0);
    expect(unreg.json()).toMatchObject({ changed: false });
    expect(writes().length).toBe(n + 1);
  });

  it('problem 9: --verbose and XRDCTL_DEBUG=http trace every exchange (method, path, status, ms) on stderr, secrets redacted; -q prints nothing but errors', async () => {
    const v = await E.run(['token', 'list', '-c', 'ss1', '--verbose']);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/^http ss1 GET \/api\/v1\/tokens → 200 \(\d+ ms\)$/m);
    const d = await E.run(['cert', 'list', '-c', 'ss1', '--json'], { env: { XRDCTL_DEBUG: 'http' } });
    expect(d.stderr).toMatch(/^http ss1 GET \S+ → 200 \(\d+ ms\)$/m);
    JSON.parse(d.stdout);
    for (const s of E.secrets) expect(v.stderr + d.stderr).not.toContain(s);
    const q = await E.run(['token', 'list', '-c', 'ss1', '-q']);
    expect(q).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const qa = await E.run(['apply', manifest, '--yes', '-q'], { env });
    expect(qa).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const qe = await E.run(['cert', 'show', '-c', 'ss1', 'FFFFFFFF', '-q']);
    expect(qe.exitCode).toBe(2);
    expect(qe.stderr).toMatch(/^error: /);
  });

  it('problem 10: a wrong PIN gets the hint "wrong PIN", the error once and no ✔ on a terminal; the PIN prompt names the server', async () => {
    const pinFile = join(E.work, 'wrong.pin');
    writeFileSync(pinFile, 'Wrong-Pin-123456', { mode: 0o600 });
    expect((await E.run(['token', 'logout', '-c', 'ss2', '--yes'])).exitCode).toBe(0);
    const r = await tty(['token', 'login', '-c', 'ss2', '--pin', `file:${pinFile}`]);
    expect(r.exitCode).toBe(1);
    expect(r.screen.match(/error:/g)).toHaveLength(1);
    expect(r.screen).toMatch(/hint: wrong PIN/);
    expect(r.screen).not.toContain('✔');
    const p = await tty(['token', 'login', '-c', 'ss2', '--pin', 'prompt'], { when: /PIN/, text: 'Wrong-Pin-123456' });
    expect(p.screen).toMatch(/ss2 token 0 PIN/);
    expect(p.screen).not.toContain('✔');
    expect(p.screen).not.toContain('Wrong-Pin-123456');
    expect((await E.run(['token', 'login', '-c', 'ss2'])).exitCode).toBe(0);
    // a step that fails under the live progress renderer (a terminal that can redraw): the error once, exit 2
    writeFileSync(join(E.work, 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n');
    const live = await tty(['cert', 'import', '-c', 'ss1', 'garbage.pem'], undefined, 'xterm');
    expect(live.exitCode, live.screen).toBe(2);
    expect(live.screen.match(/not an X\.509 certificate/g), live.screen).toHaveLength(1);
  });

  it('problem 10: --tls-fingerprint takes openssl output; cs request list on a security server context uses its central context', async () => {
    const colons = E.sb.ss[0]!.fingerprint.toUpperCase().replace(/:/g, '').match(/../g)!.join(':');
    const add = await E.run([
      'context',
      'add',
      'ss1-openssl',
      '--kind',
      'security',
      '--url',
      E.sb.ss[0]!.url,
      '--api-key',
      'env:XRD_SS1_API_KEY',
      '--tls-fingerprint',
      `SHA256 Fingerprint=${colons}`,
      '--json',
    ]);
    expect(add.exitCode, add.stderr).toBe(0);
    const t = await E.run(['token', 'list', '-c', 'ss1-openssl', '--json'], { env });
    expect(t.exitCode, t.stderr).toBe(0);
    const l = await E.run(['cs', 'request', 'list', '-c', 'ss1', '--json']);
    expect(l.exitCode, l.stderr).toBe(0);
    expect(l.json()).toMatchObject({ server: 'cs' });
  });
});

describe('problem 3 and 9: typos, -h, --json errors, help examples (in process)', () => {
  it('did-you-mean on commands and topics, exit 2, never an internal id', async () => {
    const a = await runInProcess(['cert', 'lst']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/error: 'xrdctl cert lst' is not a command; did you mean 'xrdctl cert list'\?/);
    const b = await runInProcess(['aply', 'x.yaml']);
    expect(b.stderr).toMatch(/'xrdctl aply' is not a command; did you mean 'xrdctl apply'\?/);
    expect(b.stderr).not.toMatch(/aply:x\.yaml/);
    const c = await runInProcess(['cs', 'reqest', 'list']);
    expect(c.stderr).toMatch(/did you mean 'xrdctl cs request'\?/);
  });

  it('-h works like --help, at the top and on a command', async () => {
    const top = await runCli(['-h']);
    expect(top.exitCode).toBe(0);
    expect(top.stdout).toMatch(/^USAGE/m);
    const cmd = await runCli(['cert', 'list', '-h']);
    expect(cmd.exitCode).toBe(0);
    expect(cmd.stdout).toMatch(/xrdctl cert list/);
  });

  it('with --json an unknown command or flag is one JSON error document, exit 2', async () => {
    const a = await runInProcess(['cert', 'lst', '--json']);
    expect(a.exitCode).toBe(2);
    expect(a.json()).toMatchObject({ error: { code: 'usage', exitCode: 2, message: expect.stringMatching(/did you mean 'xrdctl cert list'/) } });
    const b = await runInProcess(['context', 'list', '--bogus', '--json']);
    expect(b.exitCode).toBe(2);
    expect(b.json()).toMatchObject({ error: { code: 'usage', exitCode: 2, message: expect.stringMatching(/--bogus/) } });
  });

  it('every command has a help example, and every flag an example names exists', () => {
    const m = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8'));
    const problems: string[] = [];
    const global = new Set(['json', 'context', 'yes', 'no-color', 'verbose', 'quiet', 'help']);
    for (const c of Object.values<any>(m.commands)) {
      if (!c.examples?.length) problems.push(`${c.id}: no example`);
      for (const e of c.examples ?? []) {
        // shell words, quotes kept together; flags are the words that start with -
        const words = (String(e).match(/"[^"]*"|'[^']*'|\S+/g) ?? []).filter((w) => /^-/.test(w));
        for (const w of words) {
          const [name] = w.replace(/^-+/, '').split('=');
          const negated = name!.startsWith('no-') && c.flags[name!.slice(3)]?.allowNo;
          const ok = w.startsWith('--')
            ? c.flags[name!] || negated || global.has(name!)
            : Object.values<any>(c.flags).some((f) => f.char === name) || ['c', 'y', 'v', 'q', 'h'].includes(name!);
          if (!ok) problems.push(`${c.id}: example names ${w}: ${e}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
