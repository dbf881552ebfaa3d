import { spawnSync } from 'node:child_process';

/**
 * Whether the peer binaries are here. Missing ones skip the tests (with a message saying so) only
 * outside CI; with CI set, a missing peer fails the run.
 */
export function havePeer(...bins: string[]): boolean {
  const missing = bins.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return true;
  if (process.env.CI) throw new Error(`peer binaries missing: ${missing.join(', ')} (CI is set: install them, e.g. apt-get install pebble openssl)`);
  console.warn(`skipping peer tests: ${missing.join(', ')} not installed (apt-get install pebble openssl)`);
  return false;
}
