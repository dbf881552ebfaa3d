/**
 * Foreground sandbox process: `node dist/src/sandbox/daemon.js --dir D [--security-servers N] [--instance DEV]
 * [--gc-interval-ms 3000] [--cert-validity-days 365] [--preset blank|empty|initialized] [--no-rate-limit] [--strict-spec]
 * [--cs-port P] [--ss-ports P1,P2] [--record] [--spare-keys N]`.
 * Writes <dir>/sandbox.json (pid, urls, fingerprints; no secrets), <dir>/secrets.json (0600: API keys, PINs,
 * control token) and <dir>/anchor.xml, prints one JSON line `{"ready":true,...}` on stdout, stops on SIGTERM/SIGINT.
 */
import { rmSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileSafe } from '../fs/files.js';
import { startSandbox, type SandboxHandle, type SandboxOptions } from './index.js';
import { MAX_SPARE_KEYS } from './key-pool.js';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const parse = (args: string[]) =>
  parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      dir: str,
      'security-servers': str,
      instance: str,
      'gc-interval-ms': str,
      'cert-validity-days': str,
      preset: str,
      'no-rate-limit': bool,
      record: bool,
      'strict-spec': bool,
      'auto-approve': str,
      'cs-port': str,
      'ss-ports': str,
      'spare-keys': str,
    },
  });

export function parseDaemonArgs(argv: string[]): SandboxOptions & { dir: string } {
  let v: ReturnType<typeof parse>['values'];
  try {
    v = parse(argv).values;
  } catch (e) {
    // node's messages name the option ("Unknown option '--x'", "Option '--dir <value>' argument missing")
    throw new Error((e as Error).message.split('\n')[0]!.replace(/\. To specify .*$/, ''));
  }
  const int = (x: string, name: string) => {
    const n = Number(x);
    if (!/^\d+$/.test(x) || !Number.isSafeInteger(n)) throw new Error(`--${name}: not a non-negative integer: ${x}`);
    return n;
  };
  const o: SandboxOptions & { dir?: string } = {};
  if (v.dir !== undefined) o.dir = v.dir;
  if (v['security-servers'] !== undefined) o.securityServers = int(v['security-servers'], 'security-servers');
  if (v.instance !== undefined) o.instance = v.instance;
  if (v['gc-interval-ms'] !== undefined) o.gcIntervalMs = int(v['gc-interval-ms'], 'gc-interval-ms');
  if (v['cert-validity-days'] !== undefined) o.certValidityDays = int(v['cert-validity-days'], 'cert-validity-days');
  if (v.preset !== undefined) {
    const p = v.preset;
    if (p !== 'blank' && p !== 'empty' && p !== 'initialized') throw new Error(`--preset: blank, empty or initialized, not ${p}`);
    o.preset = p;
  }
  if (v['spare-keys'] !== undefined) {
    o.spareKeys = int(v['spare-keys'], 'spare-keys');
    if (o.spareKeys > MAX_SPARE_KEYS) throw new Error(`--spare-keys: at most ${MAX_SPARE_KEYS}, not ${o.spareKeys}`);
  }
  if (v['no-rate-limit']) o.rateLimit = false;
  if (v.record) o.record = true;
  if (v['strict-spec']) o.strictSpec = true;
  if (v['auto-approve'] !== undefined) {
    const kinds = v['auto-approve'].split(',').map((x) => x.trim());
    const bad = kinds.filter((k) => !['auth', 'client', 'owner'].includes(k));
    if (bad.length) throw new Error(`--auto-approve: auth, client, owner (comma separated), not ${bad.join(',')}`);
    o.autoApprove = { authCertRegistration: kinds.includes('auth'), clientRegistration: kinds.includes('client'), ownerChange: kinds.includes('owner') };
  }
  if (v['cs-port'] !== undefined) o.ports = { ...o.ports, cs: int(v['cs-port'], 'cs-port') };
  if (v['ss-ports'] !== undefined) o.ports = { ...o.ports, ss: v['ss-ports'].split(',').map((x) => int(x, 'ss-ports')) };
  if (!o.dir) throw new Error('--dir is required');
  return { ...o, dir: resolve(o.dir) };
}

/**
 * The files through which the CLI finds a running sandbox: sandbox.json (pid, urls, fingerprints; no secrets),
 * secrets.json (0600, atomic) and anchor.xml. Returns the public part.
 */
export function writeDaemonFiles(sb: SandboxHandle, pid = process.pid) {
  const pub = {
    pid,
    dir: sb.dir,
    started_at: new Date().toISOString(),
    servers: [sb.cs, ...sb.ss].map((s) => ({
      name: s.name,
      kind: s.kind,
      url: s.url,
      fingerprint: s.fingerprint,
      server_id: s.serverId,
      owner_id: s.ownerId,
      address: s.address,
    })),
  };
  const secrets = {
    control_token: sb.controlToken,
    servers: Object.fromEntries([sb.cs, ...sb.ss].map((s) => [s.name, { api_keys: s.apiKeys, ...(s.tokenPin ? { token_pin: s.tokenPin } : {}) }])),
  };
  writeFileSafe(join(sb.dir, 'secrets.json'), JSON.stringify(secrets, null, 2) + '\n', { overwrite: true, what: 'sandbox secrets' });
  writeFileSafe(join(sb.dir, 'sandbox.json'), JSON.stringify(pub, null, 2) + '\n', { overwrite: true, mode: 0o644, what: 'sandbox address file' });
  writeFileSafe(join(sb.dir, 'anchor.xml'), sb.anchor(), { overwrite: true, mode: 0o644, what: 'sandbox anchor' });
  return pub;
}

export async function runDaemon(argv: string[]): Promise<void> {
  let opts: ReturnType<typeof parseDaemonArgs>;
  try {
    opts = parseDaemonArgs(argv);
  } catch (e) {
    process.stderr.write(`sandbox: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const sb = await startSandbox(opts);
  const pub = writeDaemonFiles(sb);
  process.stdout.write(JSON.stringify({ ready: true, ...pub }) + '\n');
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    await sb.stop();
    rmSync(join(sb.dir, 'sandbox.json'), { force: true });
    process.stderr.write(`sandbox: stopped (${sig})\n`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  runDaemon(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
