import { readFileSync } from 'node:fs';

/** The fenced sh/bash/console blocks of a markdown file, except those after an `<!-- excerpt -->` marker line. */
export function shellBlocks(file: string): { line: number; code: string }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(sh|bash|shell)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const excerpt = /<!--\s*excerpt\s*-->/.test(lines[i - 1] ?? '') || /<!--\s*excerpt\s*-->/.test(lines[i - 2] ?? '');
    const start = i + 1;
    let j = start;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    if (!excerpt) out.push({ line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return out;
}
