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

const configDir = mkdtempSync(join(tmpdir(), 'xrdctl-bench-'));
const env = { ...process.env, XRDCTL_CONFIG_DIR: configDir, XRDCTL_STATE_DIR: join(configDir, 'state') };
delete env.NODE_EXTRA_CA_CERTS;

/** medians of several commands run in turn (a, b, a, b, …), so that machine noise hits every column alike */
function medians(cmds, runEnv = env) {
  const times = cmds.map(() => []);
  for (const [cmd, args] of cmds) spawnSync(cmd, args, { env: runEnv, stdio: 'ignore' }); // warm the file cache
  for (let i = 0; i < runs; i++) {
    cmds.forEach(([cmd, args], j) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env: runEnv, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
      times[j].push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]);
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
// contexts for the completion helper to list (context list --json has none: the floor's command reads no file either)
const completionEnv = { ...env, XRDCTL_CONFIG_DIR: join(configDir, 'completion') };
for (const name of ['cs', 'ss1', 'ss2']) {
  const kind = name === 'cs' ? 'central' : 'security';
  const args = ['context', 'add', name, '--kind', kind, '--url', `https://${name}.example.org:4000`, '--api-key', 'env:XRD_KEY'];
  execFileSync(process.execPath, [join(root, 'bin/run.js'), ...args], { env: completionEnv, stdio: 'ignore' });
}
const [bare] = medians([[node, ['-e', '0']]]);
console.log(`startup (median of ${runs}, ms; node -e 0 = ${bare.toFixed(1)} ms)`);
console.log('command                 xrdctl   floor    x/floor  x/node');
let worst = 0;
for (const [name, xa, fa] of pairs) {
  const [xm, fm] = medians([
    [node, xa],
    [node, fa],
  ]);
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

// Completion helper: what a TAB costs (bin/run.js answers `__complete` before @oclif/core is loaded), against a
// bare node start measured in the same loop
const completions = [
  ['contexts', ['__complete', 'contexts']],
  ['servers -f examples/small/manifest.yaml', ['__complete', 'servers', '-f', join(root, 'examples/small/manifest.yaml')]],
];
for (const [name, args] of completions) {
  const [cm, nm] = medians(
    [
      [node, [x, ...args]],
      [node, ['-e', '0']],
    ],
    completionEnv,
  );
  console.log(`__complete ${name.padEnd(11)} ${cm.toFixed(1).padStart(7)} ${nm.toFixed(1).padStart(7)} ${(cm / nm).toFixed(2).padStart(8)}x  (vs node -e 0)`);
  row({
    name: `completion: xrdctl __complete ${name} (per TAB) vs node -e 0`,
    measured: cm,
    floor: nm,
    unit: 'ms',
    target: 2.0,
    note:
      name === 'contexts'
        ? `median of ${runs} interleaved runs, three contexts; the floor is a bare node start in the same loop; servers loads the YAML parser (~75 ms alone)`
        : '',
  });
}
