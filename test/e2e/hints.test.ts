import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/inproc.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/**
 * The README's old "Using it" order (issue 12, problem 1): registering the auth certificate before the member has a
 * sign certificate fails at X-Road with 500 management_request_sending_failed; the hint names what is missing and
 * how to make it, not only a correlation id.
 */
describe('a failed management request explains itself', () => {
  let E: SandboxEnv;
  let cli: (args: string[]) => ReturnType<typeof runInProcess>;
  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 1 });
    cli = (args) => runInProcess(args, { XRDCTL_CONFIG_DIR: E.configDir, XRDCTL_STATE_DIR: join(E.configDir, 'state') });
  });
  afterAll(async () => E?.stop());

  it('auth registration without a sign certificate: the hint names the member and the commands that make one', async () => {
    for (const args of [
      ['token', 'login', '-c', 'ss1'],
      ['csr', 'create', '-c', 'ss1', '--usage', 'auth', '--ca', 'Sandbox CA', '--out', join(E.work, 'auth.csr')],
      ['csr', 'submit', '-c', 'ss1', '--key', '1', '--adapter', 'server-acme', '--ca', 'Sandbox CA'],
    ]) {
      const r = await cli(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const hash = (await cli(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates[0].hash as string;
    const r = await cli(['cert', 'register', '-c', 'ss1', hash, '--approve', '--activate', '--json']);
    expect(r.exitCode).toBe(1);
    const e = r.json().error;
    expect(e.apiCode).toBe('management_request_sending_failed');
    expect(e.hint).toMatch(/^member DEV:GOV:1001 has no usable sign certificate on this server .*xrdctl csr create --usage sign --member DEV:GOV:1001/);
    expect(e.hint).toMatch(/; correlation id \S+ \(in the server log\)$/);
    const human = await cli(['cert', 'register', '-c', 'ss1', hash, '--approve']);
    expect(human.stderr).toMatch(/\nhint: member DEV:GOV:1001 has no usable sign certificate/);
  });
});
