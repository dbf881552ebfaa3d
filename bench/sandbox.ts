// Sandbox throughput: a mixed read workload vs a bare node https server (rps, p50/p99, ratio); see bench/sandbox-main.ts
import { main } from './sandbox-main.js';

await main();
