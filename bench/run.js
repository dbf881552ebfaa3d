// npm run bench: every benchmark, each printing ratios measured side by side in one run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const benches = [
  ['startup', ['bench/startup.js']],
  ['pki', ['--import', 'tsx', 'bench/pki.ts']],
  ['sandbox', ['--import', 'tsx', 'bench/sandbox.ts']],
  ['fleet', ['--import', 'tsx', 'bench/fleet.ts']],
  ['rotation', ['--import', 'tsx', 'bench/rotation.ts']],
  ['health', ['--import', 'tsx', 'bench/health.ts']],
];
let failed = 0;
for (const [name, args] of benches) {
  if (only && only !== name) continue;
  const file = args[args.length - 1];
  if (!existsSync(join(root, file))) continue;
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
