import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const binPath = join(repoRoot, 'bin/run.js');

export function tempConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'xrdctl-test-'));
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: () => any;
}

/** Run the built CLI as a child process: no TTY, no stdin, a clean environment. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; configDir?: string; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const configDir = opts.configDir ?? tempConfigDir();
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XRDCTL_CONFIG_DIR: configDir,
    // journals and other state stay beside the test's config, never in the user's home
    XRDCTL_STATE_DIR: join(configDir, 'state'),
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    CI: undefined,
    ...opts.env,
  };
  const r = await execa('node', [binPath, ...args], {
    env: env as Record<string, string>,
    extendEnv: false,
    reject: false,
    cwd: opts.cwd,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    timeout: opts.timeoutMs ?? 60_000,
  });
  const stdout = String(r.stdout ?? '');
  return {
    exitCode: r.exitCode ?? -1,
    stdout,
    stderr: String(r.stderr ?? ''),
    json: () => JSON.parse(stdout),
  };
}
