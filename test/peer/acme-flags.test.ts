import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * `csr submit --adapter acme` flag validation through the built CLI. No context and no server
 * exist here: every mistake must be found (exit 2, one line) before a server would be contacted.
 */
describe('csr submit --adapter acme: flags checked before any server is contacted', () => {
  const base = ['csr', 'submit', '--key', '3', '--adapter', 'acme'];
  const dir = ['--acme-directory', 'https://127.0.0.1:1/dir'];
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['no directory', [], {}, /^error: --adapter acme needs --acme-directory URL$/m],
    [
      'a directory that is not https',
      ['--acme-directory', 'http://ca.example.org/dir'],
      {},
      /^error: --acme-directory http:\/\/ca\.example\.org\/dir: ACME needs https:\/\/$/m,
    ],
    ['a directory that is not a URL', ['--acme-directory', 'ca.example.org'], {}, /^error: --acme-directory ca\.example\.org: not a URL$/m],
    ['an EAB key id without its MAC key', [...dir, '--acme-eab-kid', 'kid-1'], {}, /^error: --acme-eab-kid needs --acme-eab-hmac env:NAME or file:PATH$/m],
    ['an EAB MAC key without its key id', [...dir, '--acme-eab-hmac', 'env:EAB'], { EAB: 'x' }, /^error: --acme-eab-hmac needs --acme-eab-kid/m],
    [
      'an EAB MAC reference to an unset variable',
      [...dir, '--acme-eab-kid', 'k', '--acme-eab-hmac', 'env:XRDCTL_TEST_UNSET_EAB'],
      {},
      /^error: ACME EAB MAC key \(--acme-eab-hmac\): environment variable XRDCTL_TEST_UNSET_EAB is not set$/m,
    ],
    ['a port out of range', [...dir, '--acme-http-port', '70000'], {}, /^error: --acme-http-port 70000: not a port \(1-65535\)$/m],
    ['a CA bundle that does not exist', [...dir, '--acme-ca-file', '/nonexistent/ca.pem'], {}, /^error: --acme-ca-file \/nonexistent\/ca\.pem: no such file$/m],
  ];
  for (const [what, args, env, re] of cases) {
    it(`${what} → exit 2, one line`, async () => {
      const r = await runCli([...base, ...args], { env });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    });
  }

  it('an EAB MAC key written inline (not a reference) is refused without echoing it', async () => {
    const mac = 'c2VjcmV0LW1hYy1rZXktdmFsdWUtZG8tbm90LXByaW50';
    const r = await runCli([...base, ...dir, '--acme-eab-kid', 'k', '--acme-eab-hmac', mac]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a secret reference/);
    expect(r.stdout + r.stderr).not.toContain(mac);
  });

  it('--json: the error is one JSON object naming the problem', async () => {
    const r = await runCli([...base, '--json']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'usage', message: '--adapter acme needs --acme-directory URL', exitCode: 2 } });
  });
});
