// Writes schema/manifest.schema.json from src/manifest/schema.ts (built): editors with the YAML
// language server use it (# yaml-language-server: $schema=…). test/manifest keeps it current.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { manifestSchema } = await import(join(root, 'dist/src/manifest/schema.js'));
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema/manifest.schema.json'), JSON.stringify(manifestSchema, null, 2) + '\n');
console.log('wrote schema/manifest.schema.json');
