import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOcsp } from '../../src/pki/ocsp.js';
import { parseCertificate } from '../../src/pki/x509.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { startOpensslCa, type OpensslCa } from './support/openssl-ca.js';
import { havePeer } from './support/peers.js';

/**
 * An emergency rotation through a real `openssl ca`: the new auth certificate is issued by openssl
 * behind the command adapter, the compromised one is cut off (disabled, unregistered, deleted at the
 * central server) and revoked at openssl through --revoke-command; openssl's OCSP responder then
 * answers REVOKED for it.
 */
describe.skipIf(!havePeer('openssl'))('emergency auth rotation with a real openssl CA', () => {
  let E: SandboxEnv;
  let ca: OpensslCa;
  beforeAll(async () => {
    [E, ca] = await Promise.all([sandboxWithContexts({ securityServers: 1, gcIntervalMs: 300 }), startOpensslCa()]);
  });
  afterAll(async () => {
    await ca?.stop();
    await E?.stop();
  });

  it('issues through openssl ca, cuts the old certificate off and revokes it there', async () => {
    const caName = await ca.approveAt(E.sb);
    const run = async (args: string[], code = 0) => {
      const r = await E.run(args);
      expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(code);
      return r;
    };
    const quote = (argv: string[]) => argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
    await run(['token', 'login', '-c', 'ss1']);
    const sign = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--json'])).json();
    await run(['csr', 'submit', '-c', 'ss1', '--key', sign.keyId, '--adapter', 'server-acme', '--ca', 'Sandbox CA', '--activate']);
    const first = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', caName, '--json'])).json();
    const sub = (
      await run(['csr', 'submit', '-c', 'ss1', '--key', first.keyId, '--adapter', 'command', '--command', quote(ca.commandArgv), '--import', '--json'])
    ).json();
    await run(['cert', 'register', '-c', 'ss1', sub.imported.hash, '--approve', '--activate']);
    const old = (await run(['cert', 'show', '-c', 'ss1', sub.imported.hash, '--json'])).json();
    expect(old.ocspStatus).toBe('OCSP_RESPONSE_GOOD');

    const r = await run([
      'rotate',
      'auth',
      '-c',
      'ss1',
      '--emergency',
      '--ca',
      caName,
      '--adapter',
      'command',
      '--command',
      quote(ca.commandArgv),
      '--revoke-command',
      quote(ca.revokeArgv),
      '--timeout',
      '60',
      '--yes',
      '--json',
    ]);
    const j = r.json().rotations[0];
    expect(j.mode).toBe('emergency');
    expect(j.steps.map((s: any) => `${s.name}:${s.status}`)).toEqual([
      'new-key:done',
      'ca:done',
      'import:done',
      'register:done',
      'approve:done',
      'wait-registered:done',
      'activate:done',
      'verify:done',
      'disable-old:done',
      'unregister-old:done',
      'cs-delete-old:done',
      'revoke-old:done',
      'delete-old:done',
    ]);
    const certs = (await run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates;
    expect(certs.filter((c: any) => c.usage === 'auth').map((c: any) => [c.hash === j.new.hash, c.status, c.active, c.ocspStatus])).toEqual([
      [true, 'REGISTERED', true, 'OCSP_RESPONSE_GOOD'],
    ]);
    // the central server no longer lists the old certificate; openssl's responder says REVOKED
    const pem = readdirSync(join(ca.dir, 'newcerts'))
      .map((f) => readFileSync(join(ca.dir, 'newcerts', f)))
      .find((b) => parseCertificate(b).sha256Hex.toUpperCase() === old.hash)!;
    expect(pem).toBeDefined();
    const status = await queryOcsp(ca.ocspUrl, pem, readFileSync(ca.caCert), { timeoutMs: 10_000 });
    expect(status.status).toBe('revoked');
  }, 120_000);
});
