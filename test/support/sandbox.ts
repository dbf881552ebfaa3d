import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addContext } from '../../src/config/context-ops.js';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../src/sandbox/index.js';
import { runCli, type CliResult } from './cli.js';
import { runInProcess } from './inproc.js';

export interface SandboxEnv {
  sb: SandboxHandle;
  configDir: string;
  work: string;
  /** secrets the CLI was given: tests grep every output for them */
  secrets: string[];
  run(args: string[], opts?: { env?: Record<string, string | undefined>; input?: string }): Promise<CliResult>;
  /**
   * The same CLI run in this process (test/support/inproc.ts): no node start per run. For the many
   * follow-up runs of a test (status, resume, rerun, plan) where a separate process proves nothing more;
   * runs that must die (SIGKILL), read stdin or need a clean process stay on `run`.
   */
  runIn(args: string[], opts?: { env?: Record<string, string | undefined> }): Promise<CliResult>;
  stop(): Promise<void>;
}

/**
 * An in-process sandbox plus an xrdctl config with contexts cs, ss1, ss2 … whose API keys and PINs
 * are in 0600 files (file: references), so the CLI runs as a separate process exactly as users run it.
 */
export async function sandboxWithContexts(opts: SandboxOptions = {}): Promise<SandboxEnv> {
  const sb = await startSandbox({ preset: 'initialized', gcIntervalMs: 300, ...opts });
  const work = mkdtempSync(join(tmpdir(), 'xrdctl-e2e-'));
  const configDir = join(work, 'config');
  const keys = join(work, 'keys');
  mkdirSync(keys, { mode: 0o700 });
  const env = { XRDCTL_CONFIG_DIR: configDir } as NodeJS.ProcessEnv;
  const put = (name: string, v: string) => {
    const p = join(keys, name);
    writeFileSync(p, v, { mode: 0o600 });
    return `file:${p}`;
  };
  const secrets: string[] = [sb.controlToken];
  secrets.push(sb.cs.apiKeys.admin!);
  await addContext({ name: 'cs', kind: 'central', url: sb.cs.url, apiKey: put('cs.key', sb.cs.apiKeys.admin!), tlsFingerprint: sb.cs.fingerprint }, { env });
  for (const ss of sb.ss) {
    secrets.push(ss.apiKeys.admin!);
    if (ss.tokenPin) secrets.push(ss.tokenPin);
    await addContext(
      {
        name: ss.name,
        kind: 'security',
        url: ss.url,
        apiKey: put(`${ss.name}.key`, ss.apiKeys.admin!),
        tlsFingerprint: ss.fingerprint,
        centralContext: 'cs',
        tokenPin: ss.tokenPin ? put(`${ss.name}.pin`, ss.tokenPin) : undefined,
      },
      { env },
    );
  }
  return {
    sb,
    configDir,
    work,
    secrets,
    run: (args, o = {}) => runCli(args, { configDir, env: o.env, input: o.input, cwd: work }),
    runIn: (args, o = {}) => runInProcess(args, { XRDCTL_CONFIG_DIR: configDir, XRDCTL_STATE_DIR: join(configDir, 'state'), ...o.env }, work),
    stop: () => sb.stop(),
  };
}
