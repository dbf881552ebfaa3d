// Writes completions/xrdctl.bash, completions/_xrdctl (zsh) and completions/xrdctl.fish from oclif.manifest.json
// (written by npm run build). test/completions.test.ts fails when they differ from what this writes.
// The generator is read from src/ (through tsx), so the scripts never lag behind a stale dist/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const unregister = register();
const { generateCompletion, completionFiles } = await import(pathToFileURL(join(root, 'src/completions/generate.ts')).href);
await unregister();

let manifest;
try {
  manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));
} catch (e) {
  console.error(`gen-completions: cannot read oclif.manifest.json (${e.code ?? e.message}); run npm run build first`);
  process.exit(1);
}
mkdirSync(join(root, 'completions'), { recursive: true });
for (const [shell, file] of Object.entries(completionFiles)) {
  writeFileSync(join(root, file), generateCompletion(shell, manifest));
  console.log(`wrote ${file}`);
}
