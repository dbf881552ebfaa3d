import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/**
 * csr submit through the CLI with the command adapter (a site script in front of a CA: here the
 * sandbox's CA) and with server-acme, each followed by import, register with approval and activation.
 */
describe('csr submit → import → register --approve --activate, through the CLI', () => {
  let E: SandboxEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1 });
    env = {
      XRD_SANDBOX_CONTROL_URL: E.sb.cs.url.replace(/\/api\/v1$/, '/__sandbox'),
      XRD_SANDBOX_CONTROL_TOKEN: E.sb.controlToken,
      XRD_SANDBOX_CONTROL_FINGERPRINT: E.sb.cs.fingerprint,
    };
  });
  afterAll(async () => E?.stop());
  const run = async (args: string[]) => {
    const r = await E.run(args, { env });
    expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r;
  };
  const script = join(repoRoot, 'test/support/sandbox-ca-command.mjs');
  // the CA command gets a minimal environment: what it needs is named
  const passEnv = ['XRD_SANDBOX_CONTROL_URL', 'XRD_SANDBOX_CONTROL_TOKEN', 'XRD_SANDBOX_CONTROL_FINGERPRINT'].flatMap((n) => ['--command-env', n]);

  it('sign certificate through the command adapter, auth certificate through the command adapter, then registered and active', async () => {
    await run(['token', 'login', '-c', 'ss1']);
    const sign = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--json'])).json();
    const cmd = `${process.execPath} ${script} {csr} {cert} {usage}`;
    const s = (
      await run(['csr', 'submit', '-c', 'ss1', '--key', sign.keyId, '--adapter', 'command', '--command', cmd, ...passEnv, '--import', '--json'])
    ).json();
    expect(s.imported).toMatchObject({ usage: 'sign', status: 'REGISTERED', active: true });
    const auth = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--json'])).json();
    const a = (
      await run(['csr', 'submit', '-c', 'ss1', '--key', auth.keyId, '--adapter', 'command', '--command', cmd, ...passEnv, '--import', '--json'])
    ).json();
    expect(a.imported).toMatchObject({ usage: 'auth', status: 'SAVED', active: false });
    const reg = (await run(['cert', 'register', '-c', 'ss1', a.imported.hash, '--approve', '--activate', '--json'])).json();
    expect(reg).toMatchObject({ status: 'REGISTERED', active: true, approved: true });
    expect(E.secrets.some((x) => JSON.stringify(reg).includes(x))).toBe(false);
  });

  it('server-acme: the security server orders and imports; a failing CA command is one line and nothing is imported', async () => {
    const k = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--json'])).json();
    const r = (await run(['csr', 'submit', '-c', 'ss1', '--key', k.keyId, '--adapter', 'server-acme', '--ca', 'Sandbox CA', '--json'])).json();
    expect(r.imported).toMatchObject({ usage: 'sign', status: 'REGISTERED' });
    const k2 = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--json'])).json();
    const before = (await run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates.length;
    const bad = await E.run(
      [
        'csr',
        'submit',
        '-c',
        'ss1',
        '--key',
        k2.keyId,
        '--adapter',
        'command',
        '--command',
        `${process.execPath} ${script} {csr} {cert} {usage}`,
        ...passEnv,
        '--import',
      ],
      { env: { ...env, XRD_SANDBOX_CONTROL_TOKEN: 'wrong-token-000' } },
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/CA command .* failed \(exit 1\): sandbox CA refused: 401/);
    expect((await run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates.length).toBe(before);
  });

  it('manual: the CSR goes to --out and the answer is pending; an --out in no existing folder is exit 2', async () => {
    const k = (await run(['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--json'])).json();
    const r = (await run(['csr', 'submit', '-c', 'ss1', '--key', k.keyId, '--adapter', 'manual', '--out', 'outbox.csr', '--json'])).json();
    expect(r).toMatchObject({ adapter: 'manual', pending: expect.stringMatching(/outbox\.csr$/), imported: null });
    const bad = await E.run(['csr', 'submit', '-c', 'ss1', '--key', k.keyId, '--adapter', 'manual', '--out', 'no/such/dir/x.csr'], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no\/such\/dir\/x\.csr: folder no\/such\/dir does not exist/);
  });
});
