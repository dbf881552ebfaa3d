// Sandbox throughput: a mixed read workload vs a bare node https server (rps, p50/p99, ratio); see bench/sandbox-main.ts
import { quick, row } from './row.js';
import { main } from './sandbox-main.js';

const { sandbox, bare } = await main({ durationMs: quick ? 1500 : 3000 });
row({
  name: 'sandbox: mixed reads/s vs bare node https',
  measured: sandbox.rps,
  floor: bare.rps,
  unit: '/s',
  target: 3.0,
  better: 'higher',
  note: 'the bare server answers a fixed body; the sandbox authenticates, routes, reads state and serialises (target: a third of bare)',
});
