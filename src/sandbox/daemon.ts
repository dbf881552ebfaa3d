/**
 * Foreground sandbox process: `node dist/src/sandbox/daemon.js --dir D [--security-servers N] [--instance DEV]
 * [--gc-interval-ms 3000] [--cert-validity-days 365] [--preset blank|empty|initialized] [--no-rate-limit] [--strict-spec]
 * [--cs-port P] [--ss-ports P1,P2] [--record]`.
 * Writes <dir>/sandbox.json (pid, urls, fingerprints; no secrets), <dir>/secrets.json (0600: API keys, PINs,
 * control token) and <dir>/anchor.xml, prints one JSON line `{"ready":true,...}` on stdout, stops on SIGTERM/SIGINT.
 */
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import writeFileAtomic from 'write-file-atomic';
import { startSandbox, type SandboxHandle, type SandboxOptions } from './index.js';

export function parseDaemonArgs(argv: string[]): SandboxOptions & { dir: string } {
  const o: SandboxOptions & { dir?: string } = {};
  const next = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const int = (v: string, name: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: not a non-negative integer: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--dir': o.dir = next(i++, a); break;
      case '--security-servers': o.securityServers = int(next(i++, a), a); break;
      case '--instance': o.instance = next(i++, a); break;
      case '--gc-interval-ms': o.gcIntervalMs = int(next(i++, a), a); break;
      case '--cert-validity-days': o.certValidityDays = int(next(i++, a), a); break;
      case '--preset': {
        const p = next(i++, a);
        if (p !== 'blank' && p !== 'empty' && p !== 'initialized') throw new Error(`--preset: blank, empty or initialized, not ${p}`);
        o.preset = p;
        break;
      }
      case '--no-rate-limit': o.rateLimit = false; break;
      case '--record': o.record = true; break;
      case '--strict-spec': o.strictSpec = true; break;
      case '--auto-approve': {
        const kinds = next(i++, a).split(',').map((x) => x.trim());
        const bad = kinds.filter((k) => !['auth', 'client', 'owner'].includes(k));
        if (bad.length) throw new Error(`--auto-approve: auth, client, owner (comma separated), not ${bad.join(',')}`);
        o.autoApprove = { authCertRegistration: kinds.includes('auth'), clientRegistration: kinds.includes('client'), ownerChange: kinds.includes('owner') };
        break;
      }
      case '--cs-port': o.ports = { ...o.ports, cs: int(next(i++, a), a) }; break;
      case '--ss-ports': o.ports = { ...o.ports, ss: next(i++, a).split(',').map((x) => int(x, a)) }; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
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
    servers: [sb.cs, ...sb.ss].map((s) => ({ name: s.name, kind: s.kind, url: s.url, fingerprint: s.fingerprint, server_id: s.serverId, owner_id: s.ownerId, address: s.address })),
  };
  const secrets = {
    control_token: sb.controlToken,
    servers: Object.fromEntries([sb.cs, ...sb.ss].map((s) => [s.name, { api_keys: s.apiKeys, ...(s.tokenPin ? { token_pin: s.tokenPin } : {}) }])),
  };
  writeFileAtomic.sync(join(sb.dir, 'secrets.json'), JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  writeFileAtomic.sync(join(sb.dir, 'sandbox.json'), JSON.stringify(pub, null, 2) + '\n', { mode: 0o644 });
  writeFileSync(join(sb.dir, 'anchor.xml'), sb.anchor());
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
