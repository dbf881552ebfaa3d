#!/usr/bin/env node
// `xrdctl __complete KIND …` answers the shell completion scripts: handled before @oclif/core is loaded, so a TAB
// costs a node start and a file read (a server's hashes and key ids: one bounded, cached request)
if (process.argv[2] === '__complete') {
  const { completeValues } = await import('../dist/src/completions/dynamic.js');
  const values = await completeValues(process.argv.slice(3));
  process.stdout.write(values.map((v) => `${v}\n`).join(''));
  process.exit(0);
}
// @oclif/core's execute alone (its index also loads all of semver for an engine check, ~25 ms a start), taken
// with require so that Node does not scan it for exports as it does for an ESM import (src/cli/oclif.ts)
const { createRequire } = await import('node:module');
const { execute } = createRequire(import.meta.url)('@oclif/core/execute');
await execute({ dir: import.meta.url });
