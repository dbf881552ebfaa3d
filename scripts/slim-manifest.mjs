// After `oclif manifest`: drop what the CLI never reads at startup from oclif.manifest.json (the
// --json result schemas, which live in the command classes and test/snapshots). Every command start
// parses this file, so its size is startup time.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'oclif.manifest.json');
const m = JSON.parse(readFileSync(file, 'utf8'));
for (const c of Object.values(m.commands)) delete c.resultSchema;
writeFileSync(file, JSON.stringify(m));
