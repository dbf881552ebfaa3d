import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/pki/x509.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { havePeer, startPebble, type Pebble } from './support/pebble.js';

const havePebble = havePeer('pebble');

/** xrdctl csr submit --adapter acme: the CSR the security server made, issued by a real pebble. */
describe.skipIf(!havePebble)('csr submit --adapter acme against pebble, CSR from the sandbox', () => {
  let E: SandboxEnv;
  let pebble: Pebble;
  beforeAll(async () => {
    [E, pebble] = await Promise.all([
      sandboxWithContexts({ securityServers: 1 }),
      startPebble({ alwaysValid: true, eab: { 'kid-7': Buffer.from('a-mac-key-for-the-eab-test-000000').toString('base64url') } }),
    ]);
  });
  afterAll(async () => {
    await pebble?.stop();
    await E?.stop();
  });

  it('pebble issues the certificate for the server key; a CA the server does not list is refused at import', async () => {
    const mac = Buffer.from('a-mac-key-for-the-eab-test-000000').toString('base64url');
    writeFileSync(join(E.work, 'eab.mac'), mac, { mode: 0o600 });
    expect((await E.run(['token', 'login', '-c', 'ss1'])).exitCode).toBe(0);
    // the Basic profile puts the server's DNS name in CN, which ACME validates
    const csr = await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox Basic CA', '--subject', 'C=EE', '--json']);
    expect(csr.exitCode, csr.stderr).toBe(0);
    const { keyId } = csr.json();
    const args = [
      'csr',
      'submit',
      '-c',
      'ss1',
      '--key',
      keyId,
      '--adapter',
      'acme',
      '--acme-directory',
      pebble.directoryUrl,
      '--acme-ca-file',
      pebble.caFile,
      '--acme-account-key',
      join(E.work, 'acme.key'),
      '--acme-eab-kid',
      'kid-7',
    ];
    const noMac = await E.run(args);
    expect(noMac.exitCode).toBe(2);
    expect(noMac.stderr).toMatch(/--acme-eab-kid needs --acme-eab-hmac/);
    const r = await E.run([...args, '--acme-eab-hmac', `file:${join(E.work, 'eab.mac')}`, '--out', 'auth.crt', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(mac);
    const cert = parseCertificate(readFileSync(join(E.work, 'auth.crt')));
    expect(cert.san).toContain('DNS:ss1.sandbox.local');
    // pebble is not an approved CA of this instance: the import check says so and nothing is sent
    const imp = await E.run(['cert', 'import', '-c', 'ss1', 'auth.crt']);
    expect(imp.exitCode).toBe(2);
    expect(imp.stderr).toMatch(/auth\.crt: issuer '.*Pebble.*' is not a CA this server trusts for auth certificates/);
  });

  it('an ACME server that refuses the account (wrong EAB MAC) is a one-line error naming the step', async () => {
    writeFileSync(join(E.work, 'bad.mac'), Buffer.from('wrong').toString('base64url'), { mode: 0o600 });
    const csr = await E.run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox Basic CA', '--subject', 'C=EE', '--json']);
    const r = await E.run([
      'csr',
      'submit',
      '-c',
      'ss1',
      '--key',
      csr.json().keyId,
      '--adapter',
      'acme',
      '--acme-directory',
      pebble.directoryUrl,
      '--acme-ca-file',
      pebble.caFile,
      '--acme-account-key',
      join(E.work, 'acme-bad.key'),
      '--acme-eab-kid',
      'kid-7',
      '--acme-eab-hmac',
      `file:${join(E.work, 'bad.mac')}`,
      '--out',
      'x.crt',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: step acme-order: ACME server refused the account: \S/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });
});
