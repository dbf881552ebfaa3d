import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/errors/index.js';
import { AcmeAdapter } from '../../src/pki/adapters/acme.js';
import { parseCertificate } from '../../src/pki/x509.js';
import { freePort, startPebble, type Pebble } from './support/pebble.js';

const havePebble = spawnSync('sh', ['-c', 'command -v pebble && command -v pebble-challtestsrv']).status === 0;
if (!havePebble && process.env.CI) throw new Error('pebble is missing: .ci/run installs it');

function csr(cn: string): Buffer {
  const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const c = forge.pki.createCertificationRequest();
  c.publicKey = forge.pki.publicKeyFromPem(kp.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  c.setSubject([{ name: 'commonName', value: cn }]);
  c.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: cn }] }] }]);
  c.sign(forge.pki.privateKeyFromPem(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return Buffer.from(forge.pki.certificationRequestToPem(c));
}

describe.skipIf(!havePebble)('acme adapter against a real pebble', () => {
  let pebble: Pebble | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'xrdctl-acme-'));
  afterEach(async () => {
    await pebble?.stop();
    pebble = undefined;
  });

  it('orders a certificate (CA validation skipped); the account key is made once, 0600, and reused', async () => {
    pebble = await startPebble({ alwaysValid: true });
    const keyFile = join(dir, 'account.key');
    const a = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: keyFile, challenge: { type: 'none' } });
    const r1 = await a.submit(csr('ss1.example.org'), { usage: 'auth', csrFormat: 'PEM' });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const before = statSync(keyFile).mtimeMs;
    await a.submit(csr('ss1.example.org'), { usage: 'auth', csrFormat: 'PEM' });
    expect(statSync(keyFile).mtimeMs).toBe(before);
    const cert = parseCertificate(r1.certificate);
    expect(cert.san).toContain('DNS:ss1.example.org');
    // the chain ends at pebble's root
    const root = parseCertificate(await pebble.root());
    const last = parseCertificate(r1.chain!.at(-1)!);
    expect(last.issuer).toBe(root.subject);
  });

  it('real http-01: pebble fetches the key authorization from our 127.0.0.1 challenge server', async () => {
    pebble = await startPebble({ alwaysValid: false });
    const a = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: join(dir, 'account2.key'), challenge: { type: 'http-01', listen: { host: '127.0.0.1', port: pebble.httpPort } } });
    const r = await a.submit(csr('ss2.example.org'), { usage: 'auth', csrFormat: 'PEM' });
    expect(parseCertificate(r.certificate).san).toContain('DNS:ss2.example.org');
  });

  it('External Account Binding: accepted with the right MAC; a wrong MAC is a one-line refusal without the key', async () => {
    const mac = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url');
    pebble = await startPebble({ alwaysValid: true, eab: { 'kid-1': mac } });
    const ok = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: join(dir, 'eab.key'), challenge: { type: 'none' }, eab: { kid: 'kid-1', hmacKey: mac } });
    expect((await ok.submit(csr('ss3.example.org'), { usage: 'auth', csrFormat: 'PEM' })).certificate.length).toBeGreaterThan(100);
    const wrong = Buffer.from('ffffffffffffffffffffffffffffffff').toString('base64url');
    const bad = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: join(dir, 'eab-bad.key'), challenge: { type: 'none' }, eab: { kid: 'kid-1', hmacKey: wrong } });
    const err = await bad.submit(csr('ss3.example.org'), { usage: 'auth', csrFormat: 'PEM' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).step).toBe('acme-order');
    expect((err as Error).message).toMatch(/^ACME server refused the account: \S/);
    expect((err as Error).message).not.toContain(wrong);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });

  it('an unreachable directory or an untrusted TLS certificate fails clearly', async () => {
    const port = await freePort();
    const a = new AcmeAdapter({ directoryUrl: `https://127.0.0.1:${port}/dir`, accountKeyFile: join(dir, 'x.key'), challenge: { type: 'none' }, timeoutMs: 3000 });
    await expect(a.submit(csr('ss4.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/^cannot reach the ACME directory https:\/\/127\.0\.0\.1:\d+\/dir: ECONNREFUSED$/);
    pebble = await startPebble({ alwaysValid: true });
    const untrusted = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, accountKeyFile: join(dir, 'y.key'), challenge: { type: 'none' } });
    await expect(untrusted.submit(csr('ss4.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/cannot reach the ACME directory .*: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
  });
});
