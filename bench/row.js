// One row of the benchmark table: what was measured, the floor it is compared with (measured side by
// side in the same run, or a limit), and the target ratio. bench/run.js collects the rows and prints the
// table; a benchmark run on its own prints them as they come.
// better: 'lower' (times, requests, memory: ratio = measured / floor) or 'higher' (rates: floor / measured).
export function row({ name, measured, floor, unit, target, better = 'lower', note = '' }) {
  process.stdout.write(`BENCH-ROW ${JSON.stringify({ name, measured, floor, unit, target, better, note })}\n`);
}

export const quick = !!process.env.BENCH_QUICK;
