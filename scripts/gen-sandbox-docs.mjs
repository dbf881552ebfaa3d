// Rewrites the generated tables of docs/sandbox.md from the sandbox's code (run after npm run build).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSandboxDoc } from '../dist/src/sandbox/doc-tables.js';

const path = new URL('../docs/sandbox.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderSandboxDoc(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'docs/sandbox.md is up to date' : 'wrote docs/sandbox.md');
