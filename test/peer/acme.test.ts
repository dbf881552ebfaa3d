import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, UsageError } from '../../src/errors/index.js';
import { AcmeAdapter } from '../../src/pki/adapters/acme.js';
import { parseCertificate } from '../../src/pki/x509.js';
import { selfSignedCert } from '../support/tls.js';
import { freePort, havePeer, startPebble, type Pebble } from './support/pebble.js';

const havePebble = havePeer('pebble', 'pebble-challtestsrv', 'openssl');

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
    // and the signatures verify: leaf ← intermediate (from the management port, same as the chain) ← root
    const leafX = new X509Certificate(r1.certificate);
    const interX = new X509Certificate(await pebble.intermediate());
    const rootX = new X509Certificate(await pebble.root());
    expect(new X509Certificate(r1.chain![0]!).fingerprint256).toBe(interX.fingerprint256);
    expect(leafX.checkIssued(interX) && leafX.verify(interX.publicKey)).toBe(true);
    expect(interX.verify(rootX.publicKey)).toBe(true);
    // openssl agrees
    writeFileSync(join(dir, 'root.pem'), rootX.toString());
    writeFileSync(join(dir, 'chain.pem'), Buffer.concat(r1.chain!));
    writeFileSync(join(dir, 'leaf.pem'), r1.certificate);
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(out.trim()).toBe(`${join(dir, 'leaf.pem')}: OK`);
  });

  it('real http-01: pebble fetches the key authorization from our 127.0.0.1 challenge server', async () => {
    pebble = await startPebble({ alwaysValid: false });
    const a = new AcmeAdapter({
      directoryUrl: pebble.directoryUrl,
      caBundleFile: pebble.caFile,
      accountKeyFile: join(dir, 'account2.key'),
      challenge: { type: 'http-01', listen: { host: '127.0.0.1', port: pebble.httpPort } },
    });
    const r = await a.submit(csr('ss2.example.org'), { usage: 'auth', csrFormat: 'PEM' });
    expect(parseCertificate(r.certificate).san).toContain('DNS:ss2.example.org');
  });

  it('External Account Binding: accepted with the right MAC; a wrong MAC is a one-line refusal without the key', async () => {
    const mac = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url');
    pebble = await startPebble({ alwaysValid: true, eab: { 'kid-1': mac } });
    const ok = new AcmeAdapter({
      directoryUrl: pebble.directoryUrl,
      caBundleFile: pebble.caFile,
      accountKeyFile: join(dir, 'eab.key'),
      challenge: { type: 'none' },
      eab: { kid: 'kid-1', hmacKey: mac },
    });
    expect((await ok.submit(csr('ss3.example.org'), { usage: 'auth', csrFormat: 'PEM' })).certificate.length).toBeGreaterThan(100);
    const wrong = Buffer.from('ffffffffffffffffffffffffffffffff').toString('base64url');
    const bad = new AcmeAdapter({
      directoryUrl: pebble.directoryUrl,
      caBundleFile: pebble.caFile,
      accountKeyFile: join(dir, 'eab-bad.key'),
      challenge: { type: 'none' },
      eab: { kid: 'kid-1', hmacKey: wrong },
    });
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
    const a = new AcmeAdapter({
      directoryUrl: `https://127.0.0.1:${port}/dir`,
      accountKeyFile: join(dir, 'x.key'),
      challenge: { type: 'none' },
      timeoutMs: 3000,
    });
    await expect(a.submit(csr('ss4.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(
      /^cannot reach the ACME directory https:\/\/127\.0\.0\.1:\d+\/dir: ECONNREFUSED$/,
    );
    pebble = await startPebble({ alwaysValid: true });
    const untrusted = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, accountKeyFile: join(dir, 'y.key'), challenge: { type: 'none' } });
    await expect(untrusted.submit(csr('ss4.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(
      /cannot reach the ACME directory .*: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
    );
  });

  it('a CA that validates, with no challenge answered: pebble fails http-01, one line with a hint (poll bounded)', async () => {
    pebble = await startPebble({ alwaysValid: false });
    const a = new AcmeAdapter({
      directoryUrl: pebble.directoryUrl,
      caBundleFile: pebble.caFile,
      accountKeyFile: join(dir, 'novalidation.key'),
      challenge: { type: 'none' },
    });
    const t0 = Date.now();
    const err = (await a.submit(csr('ss5.example.org'), { usage: 'auth', csrFormat: 'PEM' }).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.step).toBe('acme-order');
    expect(err.message).toMatch(/^ACME server refused the challenge: \S/);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.hint).toMatch(/--acme-http-port/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a CA that hangs: each request times out and the whole order ends at its deadline', async () => {
    const tls = selfSignedCert('127.0.0.1');
    writeFileSync(join(dir, 'hang-ca.pem'), tls.cert);
    // answers the directory, then never answers anything else
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url !== '/dir') return; // hang
      const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/acct`, newOrder: `${base}/order` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/dir`;
      const a = new AcmeAdapter({
        directoryUrl: url,
        caBundleFile: join(dir, 'hang-ca.pem'),
        accountKeyFile: join(dir, 'hang.key'),
        challenge: { type: 'none' },
        timeoutMs: 300,
        // room for acme-client's own retry of the request that got no answer (0.3 s, a 1 s pause, 0.3 s): the
        // requests' timeouts, not the order's deadline, end this one (1.5 s raced them)
        orderTimeoutMs: 3000,
      });
      const t0 = Date.now();
      const err = (await a.submit(csr('ss6.example.org'), { usage: 'auth', csrFormat: 'PEM' }).catch((e: unknown) => e)) as NetworkError;
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(NetworkError);
      expect(err.step).toBe('acme-order');
      expect(err.message).toMatch(/^ACME account failed: no usable answer from the CA \(timed out after 0\.3 s, or the connection failed\)$/);
      expect(took).toBeLessThan(3000);
      expect(took).toBeGreaterThanOrEqual(300);
      // a deadline shorter than one request: the deadline ends the order
      const b = new AcmeAdapter({
        directoryUrl: url,
        caBundleFile: join(dir, 'hang-ca.pem'),
        accountKeyFile: join(dir, 'hang.key'),
        challenge: { type: 'none' },
        timeoutMs: 5000,
        orderTimeoutMs: 800,
      });
      await expect(b.submit(csr('ss6.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/^the ACME order did not finish within 0\.8 s$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('local mistakes are UsageErrors before an order: a shared account key, a busy challenge port, a CSR with no DNS name', async () => {
    pebble = await startPebble({ alwaysValid: true });
    const shared = join(dir, 'shared.key');
    writeFileSync(shared, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
    chmodSync(shared, 0o644);
    const a = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: shared, challenge: { type: 'none' } });
    await expect(a.submit(csr('ss7.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(
      /^ACME account key .*shared\.key is readable by group or others$/,
    );
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key\n', { mode: 0o600 });
    const j = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundleFile: pebble.caFile, accountKeyFile: junk, challenge: { type: 'none' } });
    await expect(j.submit(csr('ss7.example.org'), { usage: 'auth', csrFormat: 'PEM' })).rejects.toThrow(/^ACME account key .*junk\.key cannot be used: /);

    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as AddressInfo).port;
      const b = new AcmeAdapter({
        directoryUrl: pebble.directoryUrl,
        caBundleFile: pebble.caFile,
        accountKeyFile: join(dir, 'busy.key'),
        challenge: { type: 'http-01', listen: { host: '127.0.0.1', port } },
      });
      const err = (await b.submit(csr('ss7.example.org'), { usage: 'auth', csrFormat: 'PEM' }).catch((e: unknown) => e)) as UsageError;
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`cannot serve http-01 on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }

    // an X-Road sign CSR names a member, not a host
    const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const c = forge.pki.createCertificationRequest();
    c.publicKey = forge.pki.publicKeyFromPem(kp.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    c.setSubject([
      { name: 'countryName', value: 'EE' },
      { type: '2.5.4.5', value: 'DEV/SS1/GOV' },
      { name: 'commonName', value: 'DEV/GOV/1001' },
    ]);
    c.sign(forge.pki.privateKeyFromPem(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
    const n = new AcmeAdapter({
      directoryUrl: pebble.directoryUrl,
      caBundleFile: pebble.caFile,
      accountKeyFile: join(dir, 'n.key'),
      challenge: { type: 'none' },
    });
    await expect(n.submit(Buffer.from(forge.pki.certificationRequestToPem(c)), { usage: 'sign', csrFormat: 'PEM' })).rejects.toThrow(UsageError);

    expect(
      () =>
        new AcmeAdapter({
          directoryUrl: pebble!.directoryUrl,
          accountKeyFile: join(dir, 'h.key'),
          challenge: { type: 'http-01', listen: { host: '0.0.0.0' as '127.0.0.1', port: 8080 } },
        }),
    ).toThrow(/127\.0\.0\.1 only/);
  });
});
