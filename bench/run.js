// npm run bench [-- --quick] [-- NAME]: every benchmark, each measuring its rows against floors taken
// side by side in the same run; one table at the end (row, measured, floor, ratio, target, OK/OVER).
// --quick runs the same rows on smaller sizes (under 5 minutes on 2 cores).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => !a.startsWith('--'));
const benches = [
  ['startup', ['bench/startup.js']],
  ['pki', ['--import', 'tsx', 'bench/pki.ts']],
  ['sandbox', ['--import', 'tsx', 'bench/sandbox.ts']],
  ['fleet', ['--import', 'tsx', 'bench/fleet.ts']],
  ['rotation', ['--import', 'tsx', 'bench/rotation.ts']],
  ['health', ['--import', 'tsx', 'bench/health.ts']],
];
const env = { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) };
delete env.NODE_EXTRA_CA_CERTS;
const rows = [];
let failed = 0;
const t0 = Date.now();
for (const [name, argv] of benches) {
  if (only && only !== name) continue;
  if (!existsSync(join(root, argv[argv.length - 1]))) continue;
  console.log(`\n== ${name} ==`);
  const code = await new Promise((resolve) => {
    const p = spawn(process.execPath, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    p.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('BENCH-ROW ')) rows.push({ bench: name, ...JSON.parse(line.slice(10)) });
        else console.log(line);
      }
    });
    p.on('close', (c) => resolve(c));
  });
  if (code !== 0) {
    failed++;
    rows.push({ bench: name, name: `${name}: the benchmark failed (exit ${code})`, failed: true });
  }
}

const fmt = (v, unit) => (typeof v !== 'number' || !Number.isFinite(v) ? '-' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`);
const table = rows.map((r) => {
  if (r.failed) return [r.name, '-', '-', '-', '-', 'FAILED'];
  const ratio = r.better === 'higher' ? r.floor / r.measured : r.measured / r.floor;
  return [r.name, fmt(r.measured, r.unit), fmt(r.floor, r.unit), `${ratio.toFixed(2)}x`, `≤ ${r.target}x`, ratio <= r.target ? 'OK' : 'OVER'];
});
const head = ['row', 'measured', 'floor', 'ratio', 'target', ''];
const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => String(t[i]).length)));
console.log(
  `\n== table${quick ? ' (--quick sizes)' : ''}: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${((Date.now() - t0) / 1000).toFixed(0)} s ==`,
);
for (const t of [head, ...table]) console.log(t.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  '));
for (const r of rows.filter((x) => x.note)) console.log(`  ${r.name}: ${r.note}`);
const over = table.filter((t) => t[5] !== 'OK').length;
console.log(`${over} of ${table.length} rows OVER${failed ? ` (${failed} benchmark(s) failed)` : ''}`);
process.exit(failed ? 1 : 0);
