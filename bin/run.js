#!/usr/bin/env node
// `xrdctl __complete KIND …` answers the shell completion scripts: handled before @oclif/core is loaded, so a TAB
// costs a node start and a file read (a server's hashes and key ids: one bounded, cached request)
if (process.argv[2] === '__complete') {
  const { completeValues } = await import('../dist/src/completions/dynamic.js');
  const values = await completeValues(process.argv.slice(3));
  process.stdout.write(values.map((v) => `${v}\n`).join(''));
  process.exit(0);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
