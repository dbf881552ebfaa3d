import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { startOpensslCa, type OpensslCa } from './support/openssl-ca.js';
import { havePeer } from './support/peers.js';

/**
 * The whole lifecycle with a real OpenSSL CA: the central server approves it (with its openssl OCSP
 * responder on 127.0.0.1), the security server makes the key and CSR, `openssl ca` signs it behind the
 * command adapter, xrdctl imports, registers with approval and activates; the SS's OCSP status comes
 * from openssl and turns REVOKED after `openssl ca -revoke`.
 */
describe.skipIf(!havePeer('openssl'))('openssl ca end to end through the CLI and the sandbox', () => {
  let E: SandboxEnv;
  let ca: OpensslCa;
  beforeAll(async () => {
    [E, ca] = await Promise.all([sandboxWithContexts({ securityServers: 1, gcIntervalMs: 300 }), startOpensslCa()]);
  });
  afterAll(async () => {
    await ca?.stop();
    await E?.stop();
  });

  it('approve the CA at the CS, submit with openssl ca, import, register, activate; OCSP from openssl', async () => {
    const caName = await ca.approveAt(E.sb);
    expect(caName).toBe('xrdctl Test OpenSSL CA');

    const run = async (args: string[]) => {
      const r = await E.run(args);
      expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r;
    };
    await run(['token', 'login', '-c', 'ss1']);
    // the owner's sign certificate first (from the sandbox's own CA), as registration needs it
    const sign = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--json'])).json();
    await run(['csr', 'submit', '-c', 'ss1', '--key', sign.keyId, '--adapter', 'server-acme', '--ca', 'Sandbox CA', '--activate']);

    const cas = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', caName, '--json'])).json();
    const command = ca.commandArgv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
    const sub = (
      await run(['csr', 'submit', '-c', 'ss1', '--key', cas.keyId, '--adapter', 'command', '--command', command, '--out', 'auth.crt', '--import', '--json'])
    ).json();
    expect(sub.imported).toMatchObject({ usage: 'auth', status: 'SAVED', issuer: expect.stringMatching(/xrdctl Test OpenSSL CA/) });
    const reg = (await run(['cert', 'register', '-c', 'ss1', sub.imported.hash, '--approve', '--activate', '--json'])).json();
    expect(reg).toMatchObject({ status: 'REGISTERED', active: true, approved: true });
    const shown = (await run(['cert', 'show', '-c', 'ss1', sub.imported.hash, '--json'])).json();
    expect(shown.ocspStatus).toBe('OCSP_RESPONSE_GOOD');

    // revoked at the CA: the security server learns it from openssl's OCSP answers
    ca.revoke(join(E.work, 'auth.crt'));
    // past the sandbox's OCSP cache (60 s), still inside the validity of openssl's answers (-nmin 5)
    E.sb.clock.advance(90_000);
    let status = '';
    for (let i = 0; i < 40 && status !== 'OCSP_RESPONSE_REVOKED'; i++) {
      status = (await run(['cert', 'show', '-c', 'ss1', sub.imported.hash, '--json'])).json().ocspStatus;
      if (status !== 'OCSP_RESPONSE_REVOKED') await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe('OCSP_RESPONSE_REVOKED');
    // the only auth certificate is revoked: it counts, CRITICAL, and cert expiry exits 2 (like health)
    const expRun = await E.run(['cert', 'expiry', '-c', 'ss1', '--json']);
    expect(expRun.exitCode).toBe(2);
    expect(expRun.json().certificates.find((c: any) => c.hash === sub.imported.hash)).toMatchObject({
      severity: 'CRITICAL',
      counts: true,
      reason: `${sub.imported.hash.slice(0, 16)} is REVOKED by its CA (OCSP)`,
    });
  }, 120_000);
});
