// Sandbox throughput: a mixed read workload vs a bare node https server (rps, p50/p99, ratio); see src/sandbox/bench.ts
import { main } from '../src/sandbox/bench.js';

await main();
