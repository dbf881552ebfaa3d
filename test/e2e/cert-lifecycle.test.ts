import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConforms } from '../support/contract.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/** A self-signed (or expired) certificate nobody approved, made locally. */
function localCert(opts: { expired?: boolean } = {}): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  c.serialNumber = '0a1b2c';
  const now = Date.now();
  c.validity.notBefore = new Date(now - (opts.expired ? 10 : 1) * 86_400_000);
  c.validity.notAfter = new Date(now + (opts.expired ? -2 : 30) * 86_400_000);
  const attrs = [
    { name: 'commonName', value: 'rogue' },
    { name: 'countryName', value: 'EE' },
  ];
  c.setSubject(attrs);
  c.setIssuer(attrs);
  c.setExtensions([{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true }]);
  c.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(c);
}

describe('certificate lifecycle through the CLI against the sandbox', () => {
  let E: SandboxEnv;
  let signHash = '';
  let authHash = '';
  let authKeyId = '';
  const outputs: string[] = [];
  const run = async (args: string[], o?: Parameters<SandboxEnv['run']>[1]) => {
    const r = await E.run(args, o);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1, record: true });
  });
  afterAll(async () => E?.stop());

  it('logs in to the token with the PIN from the context file reference (idempotent)', async () => {
    const r = await run(['token', 'login', '-c', 'ss1', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ changed: true, loggedIn: true });
    const again = await run(['token', 'login', '-c', 'ss1', '--json']);
    expect(again.json()).toMatchObject({ changed: false, loggedIn: true });
  });

  it('a wrong PIN is a one-line error naming server and step, token stays logged out', async () => {
    const pinFile = join(E.work, 'wrong.pin');
    writeFileSync(pinFile, 'Wrong-Pin-123456', { mode: 0o600 });
    await run(['token', 'logout', '-c', 'ss1', '--yes']);
    const r = await run(['token', 'login', '-c', 'ss1', '--pin', `file:${pinFile}`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: ss1 step token-login: 400 pin_incorrect/m);
    expect(r.stderr).not.toContain('Wrong-Pin-123456');
    const t = await run(['token', 'list', '-c', 'ss1', '--json']);
    expect(t.json().tokens[0].loggedIn).toBe(false);
    expect((await run(['token', 'login', '-c', 'ss1'])).exitCode).toBe(0);
  });

  it('sign certificate: key+CSR, CA signs, import → REGISTERED and active', async () => {
    const csr = await run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--out', 'sign.csr', '--json']);
    expect(csr.exitCode, csr.stderr).toBe(0);
    await expectConforms('csr:create', csr.json());
    expect(csr.stderr).toMatch(/create sign key and CSR/); // progress on stderr
    const pem = readFileSync(join(E.work, 'sign.csr'), 'utf8');
    expect(pem).toMatch(/-----BEGIN CERTIFICATE REQUEST-----/);
    writeFileSync(join(E.work, 'sign.crt'), E.sb.ca.sign(pem, { usage: 'SIGNING' }));
    const imp = await run(['cert', 'import', '-c', 'ss1', 'sign.crt', '--json']);
    expect(imp.exitCode, imp.stderr).toBe(0);
    await expectConforms('cert:import', imp.json());
    expect(imp.json()).toMatchObject({ usage: 'sign', status: 'REGISTERED', active: true, ownerId: 'DEV:GOV:1001' });
    signHash = imp.json().hash;
  });

  it('auth certificate: import → register with --approve → REGISTERED → activate', async () => {
    const csr = await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', 'auth.csr', '--json']);
    expect(csr.exitCode, csr.stderr).toBe(0);
    authKeyId = csr.json().keyId;
    writeFileSync(join(E.work, 'auth.crt'), E.sb.ca.sign(readFileSync(join(E.work, 'auth.csr')), { usage: 'AUTHENTICATION' }));
    const imp = await run(['cert', 'import', '-c', 'ss1', 'auth.crt', '--json']);
    expect(imp.exitCode, imp.stderr).toBe(0);
    expect(imp.json()).toMatchObject({ usage: 'auth', status: 'SAVED', active: false });
    authHash = imp.json().hash;
    const reg = await run(['cert', 'register', '-c', 'ss1', authHash.slice(0, 12), '--approve', '--activate', '--json']);
    expect(reg.exitCode, reg.stderr).toBe(0);
    await expectConforms('cert:register', reg.json());
    expect(reg.json()).toMatchObject({ status: 'REGISTERED', active: true, approved: true });
    const reqs = await run(['cs', 'request', 'list', '-c', 'cs', '--json']);
    expect(reqs.json().requests.find((q: any) => q.id === reg.json().requestId)).toMatchObject({ type: 'AUTH_CERT_REGISTRATION_REQUEST', status: 'APPROVED' });
    // registering again is a no-op
    const again = await run(['cert', 'register', '-c', 'ss1', authHash, '--json']);
    expect(again.json()).toMatchObject({ status: 'REGISTERED', approved: false });
  });

  it('destructive steps that would remove the last working cert are refused with exit 5 and change nothing', async () => {
    const before = E.sb.requests().length;
    for (const args of [
      ['cert', 'disable', '-c', 'ss1', authHash],
      ['cert', 'unregister', '-c', 'ss1', authHash],
      ['cert', 'delete', '-c', 'ss1', signHash],
      ['cert', 'disable', '-c', 'ss1', signHash],
      ['key', 'delete', '-c', 'ss1', authKeyId, '--yes'],
    ]) {
      const r = await run([...args, '--json']);
      expect(r.exitCode, args.join(' ')).toBe(5);
      expect(r.json().error.code).toBe('safety');
    }
    expect(
      E.sb
        .requests()
        .slice(before)
        .filter((e) => e.write),
    ).toEqual([]);
    // --force off a terminal still needs --yes, named in the error
    const forced = await run(['cert', 'disable', '-c', 'ss1', authHash, '--force']);
    expect(forced.exitCode).toBe(2);
    expect(forced.stderr).toMatch(/pass --yes/);
    const list = await run(['cert', 'list', '-c', 'ss1', '--json']);
    await expectConforms('cert:list', list.json());
    const auth = list.json().certificates.find((c: any) => c.hash === authHash);
    expect(auth).toMatchObject({ status: 'REGISTERED', active: true });
  });

  it('bad certificates are refused before anything is sent, each with a precise one-line error', async () => {
    writeFileSync(join(E.work, 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n');
    writeFileSync(join(E.work, 'expired.pem'), localCert({ expired: true }));
    writeFileSync(join(E.work, 'rogue.pem'), localCert());
    const cases: [string, RegExp, number][] = [
      ['garbage.pem', /garbage\.pem: not an X\.509 certificate/, 2],
      ['expired.pem', /expired\.pem: certificate expired on/, 2],
      ['rogue.pem', /rogue\.pem: issuer '.*rogue.*' is not a CA this server trusts/, 2],
      ['.', /is a directory/, 2],
      ['missing.pem', /missing\.pem: cannot read: ENOENT/, 2],
    ];
    const before = E.sb.requests().filter((e) => e.write).length;
    for (const [file, re, code] of cases) {
      const r = await run(['cert', 'import', '-c', 'ss1', file]);
      expect(r.exitCode, file).toBe(code);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // a certificate from the right CA for a key the server does not have
    const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forge.pki.publicKeyFromPem(kp.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    csr.setSubject([
      { name: 'commonName', value: 'SS9' },
      { name: 'countryName', value: 'DEV' },
    ]);
    csr.sign(forge.pki.privateKeyFromPem(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
    writeFileSync(join(E.work, 'other-key.crt'), E.sb.ca.sign(forge.pki.certificationRequestToPem(csr), { usage: 'AUTHENTICATION' }));
    const other = await run(['cert', 'import', '-c', 'ss1', 'other-key.crt']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toMatch(/other-key\.crt: certificate matches no key on ss1 that waits for a certificate/);
    expect(E.sb.requests().filter((e) => e.write).length).toBe(before);
  });

  it('cert expiry reports days left and OCSP for every certificate', async () => {
    const r = await run(['cert', 'expiry', '-c', 'ss1', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    await expectConforms('cert:expiry', r.json());
    expect(r.json().certificates).toHaveLength(2);
    expect(r.json().worst).toBe('OK');
    expect(r.json().certificates[0].ocspStatus).toBe('OCSP_RESPONSE_GOOD');
  });

  it('no secret (API key, PIN, control token) appears in any output', () => {
    const all = outputs.join('\n');
    for (const s of E.secrets) expect(all).not.toContain(s);
  });
});
