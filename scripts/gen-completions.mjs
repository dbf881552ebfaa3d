// Writes completions/ from oclif.manifest.json (npm run build first). test/completions keeps them current.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { generateCompletion, completionFiles } = await import(join(root, 'dist/src/completions/generate.js'));
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));
mkdirSync(join(root, 'completions'), { recursive: true });
for (const [shell, file] of Object.entries(completionFiles)) {
  writeFileSync(join(root, file), generateCompletion(shell, manifest));
  console.log(`wrote ${file}`);
}
