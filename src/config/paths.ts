import { homedir } from 'node:os';
import { join } from 'node:path';

/** XDG base directories; XRDCTL_CONFIG_DIR / XRDCTL_STATE_DIR override (tests, containers). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XRDCTL_CONFIG_DIR) return env.XRDCTL_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'xrdctl');
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XRDCTL_STATE_DIR) return env.XRDCTL_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'xrdctl');
}
