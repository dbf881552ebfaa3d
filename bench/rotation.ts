// Rotation benchmark: routine auth rotation of N sandbox servers in parallel (BENCH_ROTATION, default 50),
// against the floor measured in the same run: one server's rotation alone, which is the CA signing plus the
// global-configuration waits every rotation must make (registration distributed, peers given two
// distribution intervals). Target: N in parallel ≤ 1.5× one alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxControl } from '../src/sandboxctl/control.js';
import { quick, row } from './row.js';

const n = Number(process.env.BENCH_ROTATION ?? (quick ? 5 : 50));
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'xrdctl-rotation-bench-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  XRDCTL_CONFIG_DIR: join(work, 'config'),
  XRDCTL_STATE_DIR: join(work, 'state'),
  XRDCTL_SANDBOX_DIR: join(work, 'sandbox'),
};
delete env.CI;

function x(args: string[]): { out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`xrdctl ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  return { out: r.stdout, ms: Date.now() - t0 };
}

function manifest(count: number): string {
  const lines = [
    'apiVersion: xrdctl/v1',
    'instance: DEV',
    'centralServer:',
    '  url: ${XRD_CS_URL}',
    '  tlsFingerprint: ${XRD_CS_TLS_FINGERPRINT}',
    '  apiKey: { env: XRD_CS_API_KEY }',
    '  approveRequests: true',
    'securityServers:',
  ];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `  - name: ss${i}`,
      `    url: \${XRD_SS${i}_URL}`,
      `    tlsFingerprint: \${XRD_SS${i}_TLS_FINGERPRINT}`,
      `    apiKey: { env: XRD_SS${i}_API_KEY }`,
      `    id: "DEV:GOV:${1000 + i}:SS${i}"`,
      `    address: ss${i}.sandbox.local`,
      `    token: { id: "0", pin: { env: XRD_SS${i}_PIN } }`,
      '    certificates:',
      `      sign: [{ member: "DEV:GOV:${1000 + i}", ca: Sandbox CA, issuer: { serverAcme: {} } }]`,
      '      auth: { ca: Sandbox CA, issuer: { serverAcme: {} } }',
    );
  }
  return lines.join('\n') + '\n';
}

console.log(`rotation: routine auth rotation of ${n} sandbox security servers in parallel vs one alone (gc interval 1000 ms)`);
try {
  x(['sandbox', 'start', '--detach', '--security-servers', String(n), '--gc-interval', '1000', '--spare-keys', String(n)]);
  Object.assign(env, JSON.parse(x(['sandbox', 'env', '--json']).out).variables);
  const file = join(work, 'rotation.yaml');
  writeFileSync(file, manifest(n));
  x(['apply', file, '--yes', '--json', '--concurrency', String(Math.min(n, 256))]);
  // each measurement starts from a sandbox at rest: its spare token keys made (one per server, as each real
  // server's token makes its own key on its own machine; key-pool.ts), bounded
  const ctl = SandboxControl.open(env.XRDCTL_SANDBOX_DIR);
  const rested = async () => {
    for (let i = 0; i < 600; i++) {
      const k = (await ctl.stats()).keygen;
      if (k.spares >= k.target) return k.target;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the sandbox did not make its spare keys within 120 s');
  };
  await rested();
  const one = x(['rotate', 'auth', '-f', file, '--server', 'ss1', '--yes', '--json']);
  const spares = await rested();
  const all = x(['rotate', 'auth', '-f', file, '--yes', '--json', '--concurrency', String(n)]);
  ctl.close();
  const r = JSON.parse(all.out);
  const outages = JSON.parse(x(['sandbox', 'status', '--json']).out).outages.length;
  const ratio = all.ms / one.ms;
  console.log(`floor (one server alone): ${(one.ms / 1000).toFixed(1)} s`);
  console.log(
    `${n} in parallel:          ${(all.ms / 1000).toFixed(1)} s, ${r.rotations.filter((j: { status: string }) => j.status === 'done').length}/${n} done, outages ${outages}`,
  );
  console.log(`ratio ${ratio.toFixed(2)}x (target ≤ 1.5x) ${ratio <= 1.5 ? 'OK' : 'OVER'}`);
  row({
    name: `rotation: ${n} servers in parallel vs one alone`,
    measured: all.ms / 1000,
    floor: one.ms / 1000,
    unit: 's',
    target: 1.5,
    note: `outages recorded: ${outages}; both started with ${spares} spare token keys made`,
  });
} finally {
  spawnSync(process.execPath, [join(root, 'bin/run.js'), 'sandbox', 'stop'], { env, stdio: 'ignore' });
}
