#!/usr/bin/env node
// npm run demo: start the sandbox, walk a security officer's certificate work through the real CLI, stop.
// Uses a temporary config and sandbox directory: your own contexts are not touched.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'xrdctl-demo-'));
const env = { ...process.env, XRDCTL_CONFIG_DIR: join(work, 'config'), XRDCTL_SANDBOX_DIR: join(work, 'sandbox') };
const started = Date.now();
const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${s}\u001b[22m` : s);

function x(args, { json = false, allowFail = false, quiet = false } = {}) {
  const shown = args.map((a) => (a.startsWith(root) ? a.slice(root.length + 1) : a));
  console.log(`\n${bold('$ xrdctl ' + shown.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' '))}`);
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], { env, cwd: work, encoding: 'utf8', stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'], timeout: 120_000 });
  if (r.status !== 0 && !allowFail) {
    console.error(`demo: step failed (exit ${r.status})`);
    cleanup(1);
  }
  if (json) {
    if (!quiet) process.stdout.write(r.stdout);
    else if (args[0] === 'sandbox' && args[1] === 'env') console.log('(exports the sandbox URLs, fingerprints, keys and PINs the example manifest references)');
    return JSON.parse(r.stdout);
  }
  return r.status;
}

function cleanup(code) {
  spawnSync(process.execPath, [join(root, 'bin/run.js'), 'sandbox', 'stop'], { env, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
  if (code !== undefined) process.exit(code);
}
process.on('SIGINT', () => cleanup(130));

try {
  x(['sandbox', 'start', '--detach', '--security-servers', '2', '--write-contexts', '--gc-interval', '1500']);
  x(['context', 'list']);
  x(['server', 'info', '-c', 'sandbox-ss1']);
  x(['token', 'login', '-c', 'sandbox-ss1']);

  // the owner's sign certificate first: every management request is signed with it
  x(['csr', 'create', '-c', 'sandbox-ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--out', 'sign.csr']);
  x(['sandbox', 'ca', 'sign', 'sign.csr', '--out', 'sign.crt']);
  x(['cert', 'import', '-c', 'sandbox-ss1', 'sign.crt']);

  // then the auth certificate: import, register at the CS, approve, wait for global configuration, activate
  x(['csr', 'create', '-c', 'sandbox-ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', 'auth.csr']);
  x(['sandbox', 'ca', 'sign', 'auth.csr', '--out', 'auth.crt']);
  const imported = x(['cert', 'import', '-c', 'sandbox-ss1', 'auth.crt', '--json'], { json: true });
  x(['cert', 'register', '-c', 'sandbox-ss1', imported.hash.slice(0, 12), '--approve', '--activate']);
  x(['cs', 'request', 'list', '-c', 'sandbox-cs']);
  x(['cert', 'list', '-c', 'sandbox-ss1']);

  // the safety net: disabling the only working auth certificate is refused (exit 5)
  const code = x(['cert', 'disable', '-c', 'sandbox-ss1', imported.hash.slice(0, 12)], { allowFail: true });
  console.log(`(exit ${code}: refused, nothing changed)`);

  // the whole instance as a manifest: both servers, clients, services, access rights
  const manifest = join(root, 'examples/small/manifest.yaml');
  const sandboxEnv = x(['sandbox', 'env', '--json'], { json: true, quiet: true }).variables;
  Object.assign(env, sandboxEnv);
  x(['validate', manifest]);
  x(['plan', manifest]);
  x(['apply', manifest, '--yes']);
  x(['apply', manifest, '--yes']); // again: nothing to do, no write request

  // rehearse time passing: 11 months later the certificates are close to expiry
  x(['sandbox', 'clock', '--advance', '340d']);
  x(['cert', 'expiry', '--all-contexts'], { allowFail: true }); // exits 1/2 while certificates are due
  x(['plan', manifest]);

  // the routine rotations, sign before auth: each new certificate works before the old one is retired
  x(['rotate', 'sign', '-f', manifest, '--all', '--yes']);
  x(['rotate', 'auth', '-f', manifest, '--all', '--yes']);
  x(['plan', manifest]);
  // the sandbox as referee: no server or member was ever without a working certificate
  x(['sandbox', 'status']);
  const outages = x(['sandbox', 'status', '--json'], { json: true, quiet: true }).outages;
  if (outages.length) {
    console.error(`demo: the rotations caused ${outages.length} outage(s)`);
    cleanup(1);
  }
  x(['sandbox', 'stop']);
  console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  cleanup();
} catch (e) {
  console.error(e);
  cleanup(1);
}
