import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addContext } from '../config/context-ops.js';
import { writeFileSafe } from '../fs/files.js';
import { stateDir } from '../config/paths.js';
import { ConflictError, NetworkError, UsageError, registerSecret } from '../errors/index.js';
import { HttpClient } from '../http/index.js';
import { JOURNAL_FILE, loadState, STATE_FILE } from '../sandbox/journal.js';

/** What the sandbox daemon writes to <dir>/sandbox.json (no secrets). */
export interface SandboxInfoFile {
  pid: number;
  startedAt?: string;
  instance?: string;
  gcIntervalMs?: number;
  cs: { name: string; url: string; fingerprint: string; address?: string };
  ss: { name: string; url: string; fingerprint: string; serverId?: string; ownerId?: string; address?: string }[];
}

/** <dir>/secrets.json, mode 0600. */
export interface SandboxSecretsFile {
  controlToken: string;
  apiKeys: Record<string, Record<string, string>>;
  pins?: Record<string, string>;
}

export function sandboxDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.XRDCTL_SANDBOX_DIR ?? join(stateDir(env), 'sandbox'));
}

export function daemonPath(): string {
  // dist/src/sandboxctl/index.js → dist/src/sandbox/daemon.js
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'sandbox', 'daemon.js');
}

export function readInfo(dir: string): SandboxInfoFile | undefined {
  const p = join(dir, 'sandbox.json');
  if (!existsSync(p)) return undefined;
  try {
    // the daemon's file: { pid, dir, started_at, servers: [{ name, kind, url, fingerprint, server_id, owner_id, address }] }
    const raw = JSON.parse(readFileSync(p, 'utf8')) as {
      pid: number;
      started_at?: string;
      servers: { name: string; kind: string; url: string; fingerprint: string; server_id?: string; owner_id?: string; address?: string }[];
    };
    const map = (x: (typeof raw.servers)[number]) => ({
      name: x.name,
      url: x.url,
      fingerprint: x.fingerprint,
      serverId: x.server_id,
      ownerId: x.owner_id,
      address: x.address,
    });
    const cs = raw.servers.find((x) => x.kind === 'central');
    if (!cs) return undefined;
    return { pid: raw.pid, startedAt: raw.started_at, cs: map(cs), ss: raw.servers.filter((x) => x.kind === 'security').map(map) };
  } catch {
    return undefined;
  }
}

/** One outage of the sandbox's rehearsal referee (src/sandbox/outages.ts; same shape). */
export interface SandboxOutage {
  server: string;
  member?: string;
  kind: 'auth' | 'sign' | 'globalconf';
  from: string;
  to: string | null;
}

/** The outage record persisted in <dir>'s state (for a stopped sandbox; a running one answers GET /outages). */
export function readOutages(dir: string): SandboxOutage[] {
  try {
    const st = loadState(dir) as { outages?: { records?: SandboxOutage[] } } | undefined;
    return Array.isArray(st?.outages?.records) ? st.outages.records : [];
  } catch {
    return [];
  }
}

export function readSecrets(dir: string, o: { register?: boolean } = {}): SandboxSecretsFile {
  const p = join(dir, 'secrets.json');
  try {
    const raw = JSON.parse(readFileSync(p, 'utf8')) as {
      control_token: string;
      servers: Record<string, { api_keys: Record<string, string>; token_pin?: string }>;
    };
    const s: SandboxSecretsFile = {
      controlToken: raw.control_token,
      apiKeys: Object.fromEntries(Object.entries(raw.servers).map(([n, v]) => [n, v.api_keys])),
      pins: Object.fromEntries(
        Object.entries(raw.servers)
          .filter(([, v]) => v.token_pin)
          .map(([n, v]) => [n, v.token_pin!]),
      ),
    };
    if (o.register === false) return s;
    registerSecret(s.controlToken);
    for (const keys of Object.values(s.apiKeys ?? {})) for (const k of Object.values(keys)) registerSecret(k);
    for (const pin of Object.values(s.pins ?? {})) registerSecret(pin);
    return s;
  } catch (e) {
    throw new UsageError(`${p}: cannot read the sandbox secrets: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'is a sandbox running with this --dir?',
    });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runningInfo(dir: string): SandboxInfoFile | undefined {
  const info = readInfo(dir);
  return info && isAlive(info.pid) ? info : undefined;
}

export interface StartOptions {
  dir: string;
  securityServers: number;
  preset: 'blank' | 'empty' | 'initialized';
  /** token keys made ahead (default: one per security server from ten up) */
  spareKeys?: number;
  strictSpec?: boolean;
  gcIntervalMs?: number;
  certValidityDays?: number;
  rateLimit?: boolean;
  csPort?: number;
}

function daemonArgs(o: StartOptions): string[] {
  const a = [daemonPath(), '--dir', o.dir, '--security-servers', String(o.securityServers), '--preset', o.preset];
  if (o.gcIntervalMs !== undefined) a.push('--gc-interval-ms', String(o.gcIntervalMs));
  if (o.certValidityDays !== undefined) a.push('--cert-validity-days', String(o.certValidityDays));
  if (o.rateLimit === false) a.push('--no-rate-limit');
  if (o.strictSpec) a.push('--strict-spec');
  if (o.csPort) a.push('--cs-port', String(o.csPort));
  if (o.spareKeys !== undefined) a.push('--spare-keys', String(o.spareKeys));
  return a;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start the sandbox as a detached daemon; resolves once it is ready (bounded wait). */
export async function startDetached(o: StartOptions, timeoutMs = 60_000): Promise<SandboxInfoFile> {
  const running = runningInfo(o.dir);
  if (running) throw new ConflictError(`a sandbox is already running in ${o.dir} (pid ${running.pid})`, { hint: 'xrdctl sandbox stop, or pass another --dir' });
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  rmSync(join(o.dir, 'sandbox.json'), { force: true });
  const logFd = openSync(join(o.dir, 'sandbox.log'), 'a', 0o600);
  const child = spawn(process.execPath, daemonArgs(o), { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = readInfo(o.dir);
    if (info && info.pid === child.pid) return info;
    if (exited !== null) break;
    await sleep(100);
  }
  const log = existsSync(join(o.dir, 'sandbox.log')) ? readFileSync(join(o.dir, 'sandbox.log'), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  if (exited === null && child.pid) process.kill(child.pid, 'SIGTERM');
  throw new NetworkError(`the sandbox did not come up${exited !== null ? ` (exit ${exited})` : ` within ${timeoutMs / 1000} s`}${log ? `: ${log}` : ''}`, {
    step: 'sandbox-start',
  });
}

/** Run the sandbox in the foreground until SIGINT/SIGTERM; calls onReady once it serves. */
export async function runForeground(o: StartOptions, onReady: (info: SandboxInfoFile) => void): Promise<number> {
  const running = runningInfo(o.dir);
  if (running) throw new ConflictError(`a sandbox is already running in ${o.dir} (pid ${running.pid})`, { hint: 'xrdctl sandbox stop, or pass another --dir' });
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  rmSync(join(o.dir, 'sandbox.json'), { force: true });
  const child = spawn(process.execPath, daemonArgs(o), { stdio: ['ignore', 'ignore', 'inherit'] });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let ready = false;
  const poll = setInterval(() => {
    const info = readInfo(o.dir);
    if (!ready && info && info.pid === child.pid) {
      ready = true;
      onReady(info);
    }
  }, 100);
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 0)));
  clearInterval(poll);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  return code;
}

export async function stopSandbox(dir: string, timeoutMs = 15_000): Promise<{ stopped: boolean; pid: number | null }> {
  const info = readInfo(dir);
  if (!info || !isAlive(info.pid)) return { stopped: false, pid: info?.pid ?? null };
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(info.pid)) return { stopped: true, pid: info.pid };
    await sleep(100);
  }
  process.kill(info.pid, 'SIGKILL');
  return { stopped: true, pid: info.pid };
}

export function resetDir(dir: string): { removed: string[] } {
  if (runningInfo(dir)) throw new ConflictError(`the sandbox in ${dir} is running`, { hint: 'xrdctl sandbox stop first' });
  const removed: string[] = [];
  for (const f of [STATE_FILE, JOURNAL_FILE, 'sandbox.json', 'secrets.json', 'anchor.xml', 'sandbox.log', 'keys']) {
    const p = join(dir, f);
    if (existsSync(p)) {
      rmSync(p, { recursive: true, force: true });
      removed.push(f);
    }
  }
  return { removed };
}

/** A client for the sandbox's control endpoints (/__sandbox/*), pinned to the CS listener's certificate. */
export function controlClient(dir: string): { http: HttpClient; info: SandboxInfoFile } {
  const info = runningInfo(dir);
  if (!info) throw new UsageError(`no sandbox is running in ${dir}`, { hint: 'xrdctl sandbox start --detach' });
  const secrets = readSecrets(dir);
  const base = info.cs.url.replace(/\/api\/v1\/?$/, '/__sandbox');
  return {
    info,
    http: new HttpClient({ baseUrl: base, server: 'sandbox', apiKey: secrets.controlToken, authScheme: 'bearer', tlsFingerprint: info.cs.fingerprint }),
  };
}

/**
 * Write xrdctl contexts for the sandbox servers: API keys and PINs go to 0600 files under
 * <dir>/keys and the contexts refer to them (file:…), never holding a secret themselves.
 */
export async function writeSandboxContexts(dir: string, info: SandboxInfoFile, prefix = 'sandbox-'): Promise<string[]> {
  const secrets = readSecrets(dir);
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const put = (name: string, value: string) => {
    const p = join(keysDir, name);
    writeFileSafe(p, value + '\n', { overwrite: true, what: 'secret file', mode: 0o600 });
    return p;
  };
  const names: string[] = [];
  const csName = `${prefix}${info.cs.name}`;
  const csKey = secrets.apiKeys[info.cs.name]?.admin;
  if (!csKey) throw new UsageError('the sandbox secrets have no CS admin key');
  await addContext(
    { name: csName, kind: 'central', url: info.cs.url, apiKey: `file:${put(`${info.cs.name}.key`, csKey)}`, tlsFingerprint: info.cs.fingerprint },
    { overwrite: true },
  );
  names.push(csName);
  for (const ss of info.ss) {
    const key = secrets.apiKeys[ss.name]?.admin;
    if (!key) continue;
    const pin = secrets.pins?.[ss.name];
    await addContext(
      {
        name: `${prefix}${ss.name}`,
        kind: 'security',
        url: ss.url,
        apiKey: `file:${put(`${ss.name}.key`, key)}`,
        tlsFingerprint: ss.fingerprint,
        centralContext: csName,
        tokenPin: pin ? `file:${put(`${ss.name}.pin`, pin)}` : undefined,
      },
      { overwrite: true },
    );
    names.push(`${prefix}${ss.name}`);
  }
  return names;
}
