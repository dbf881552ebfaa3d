/**
 * The generated parts of docs/sandbox.md: the deviations table (deviations.ts) and the list of operations not
 * modelled (not-modelled.ts), between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers.
 * `npm run docs:sandbox` rewrites them; test/sandbox/coverage.test.ts fails when the doc is stale.
 */
import { deviationsMarkdown } from './deviations.js';
import { notModelledMarkdown } from './not-modelled.js';

const PARTS: Record<string, () => string> = { deviations: deviationsMarkdown, 'not-modelled': notModelledMarkdown };

export function renderSandboxDoc(doc: string): string {
  let out = doc;
  for (const [name, render] of Object.entries(PARTS)) {
    const open = `<!-- generated:${name} (npm run docs:sandbox) -->`;
    const close = `<!-- /generated:${name} -->`;
    const a = out.indexOf(open);
    const b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`docs/sandbox.md: markers ${open} … ${close} missing`);
    out = `${out.slice(0, a + open.length)}\n${render()}\n${out.slice(b)}`;
  }
  return out;
}
