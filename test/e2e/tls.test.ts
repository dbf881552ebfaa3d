import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConforms } from '../support/contract.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

describe('information-system TLS: local key and CSR, certificate added to a client', () => {
  let E: SandboxEnv;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1 });
  });
  afterAll(async () => E?.stop());

  it('tls keygen writes a 0600 key; tls csr makes a CSR openssl verifies; client tls add is idempotent', async () => {
    const k = await E.run(['tls', 'keygen', '--out', 'is.key', '--json']);
    expect(k.exitCode, k.stderr).toBe(0);
    await expectConforms('tls:keygen', k.json());
    expect(statSync(join(E.work, 'is.key')).mode & 0o777).toBe(0o600);
    expect(k.stdout).not.toMatch(/PRIVATE KEY/);
    expect((await E.run(['tls', 'keygen', '--out', 'is.key'])).exitCode).toBe(2);
    const c = await E.run([
      'tls',
      'csr',
      '--key',
      'is.key',
      '--subject',
      'CN=is.example.org',
      '--subject',
      'O=Ministry',
      '--san',
      'DNS:is.example.org',
      '--out',
      'is.csr',
      '--json',
    ]);
    expect(c.exitCode, c.stderr).toBe(0);
    const text = execFileSync('openssl', ['req', '-in', join(E.work, 'is.csr'), '-noout', '-verify', '-subject', '-text'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(text).toMatch(/CN\s*=\s*is\.example\.org/);
    expect(text).toMatch(/DNS:is\.example\.org/);
    // the information system's own CA (here: self-signed by openssl) issues the certificate
    execFileSync(
      'openssl',
      ['x509', '-req', '-in', join(E.work, 'is.csr'), '-signkey', join(E.work, 'is.key'), '-days', '30', '-out', join(E.work, 'is.crt')],
      { stdio: 'ignore' },
    );
    const add = await E.run(['client', 'tls', 'add', 'is.crt', '--client', 'DEV:GOV:1001', '-c', 'ss1', '--json']);
    expect(add.exitCode, add.stderr).toBe(0);
    await expectConforms('client:tls:add', add.json());
    expect(add.json().changed).toBe(true);
    expect((await E.run(['client', 'tls', 'add', 'is.crt', '--client', 'DEV:GOV:1001', '-c', 'ss1', '--json'])).json().changed).toBe(false);
    const list = await E.run(['client', 'tls', 'list', '--client', 'DEV:GOV:1001', '-c', 'ss1', '--json']);
    expect(list.json().certificates).toHaveLength(1);
  });

  it('bad input: a missing key, a non-key, an unknown subject field, a non-certificate', async () => {
    writeFileSync(join(E.work, 'junk.pem'), 'hello');
    const cases: [string[], RegExp][] = [
      [['tls', 'csr', '--key', 'nope.key', '--subject', 'CN=x'], /nope\.key: cannot read: ENOENT/],
      [['tls', 'csr', '--key', 'junk.pem', '--subject', 'CN=x'], /not an RSA private key in PEM/],
      [['tls', 'csr', '--key', 'is.key', '--subject', 'XX=x'], /unknown subject field 'XX'/],
      [['tls', 'keygen', '--out', 'k2.key', '--bits', '1024'], /--bits must be 2048, 3072 or 4096/],
      [['client', 'tls', 'add', 'junk.pem', '--client', 'DEV:GOV:1001', '-c', 'ss1'], /junk\.pem: not an X\.509 certificate/],
    ];
    for (const [args, re] of cases) {
      const r = await E.run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});
