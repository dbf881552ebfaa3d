// Startup benchmark: median wall time of xrdctl commands vs the oclif floor (a one-command CLI on
// the same @oclif/core, with its manifest) and vs `node -e 0`, measured side by side in one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quick, row } from './row.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const floorDir = join(root, 'bench/fixtures/floor');
const runs = Number(process.env.BENCH_RUNS ?? (quick ? 9 : 21));

execFileSync(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], { cwd: floorDir, stdio: 'ignore' });

const env = { ...process.env, XRDCTL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'xrdctl-bench-')) };
delete env.NODE_EXTRA_CA_CERTS;

function median(cmd, args) {
  const times = [];
  spawnSync(cmd, args, { env, stdio: 'ignore' }); // warm the file cache
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// interleave so that machine noise hits all columns alike
const node = process.execPath;
const x = join(root, 'bin/run.js');
const f = join(floorDir, 'bin/run.js');
const pairs = [
  ['--version', [x, '--version'], [f, '--version']],
  ['--help', [x, '--help'], [f, '--help']],
  ['context list --json', [x, 'context', 'list', '--json'], [f, 'hello', '--json']],
];
const bare = median(node, ['-e', '0']);
console.log(`startup (median of ${runs}, ms; node -e 0 = ${bare.toFixed(1)} ms)`);
console.log('command                 xrdctl   floor    x/floor  x/node');
let worst = 0;
for (const [name, xa, fa] of pairs) {
  const xm = median(node, xa);
  const fm = median(node, fa);
  worst = Math.max(worst, xm / fm);
  console.log(
    `${name.padEnd(22)} ${xm.toFixed(1).padStart(7)} ${fm.toFixed(1).padStart(7)} ${(xm / fm).toFixed(2).padStart(8)}x ${(xm / bare).toFixed(2).padStart(6)}x`,
  );
  row({
    name: `startup: xrdctl ${name}`,
    measured: xm,
    floor: fm,
    unit: 'ms',
    target: 1.0,
    note:
      name === '--version'
        ? `median of ${runs} interleaved runs, NODE_EXTRA_CA_CERTS unset; node -e 0 = ${bare.toFixed(0)} ms; floor = bench/fixtures/floor (one command, same @oclif/core, no plugins)`
        : '',
  });
}
