import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The fence languages that mean "a shell session": the examples test runs every such block not marked as an excerpt. */
export const SHELL_LANGS = ['sh', 'bash', 'shell', 'console'] as const;

export interface ShellBlock {
  /** 1-based line of the block's first line of code */
  line: number;
  lang: string;
  /** the commands as a shell would run them (a `console` block's `$ ` prompts stripped, its output lines dropped) */
  code: string;
  /** `<!-- excerpt -->` on one of the two lines before the fence: shown, not run */
  excerpt: boolean;
  /** `<!-- run from: DIR -->` before the fence (the prose says so too): the folder, relative to the repository root */
  cwd: string;
}

const MARK_WINDOW = 2;

/** Every fenced shell block of a markdown file, excerpts included and flagged. */
export function allShellBlocks(file: string): ShellBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!m) {
      if (/^```/.test(lines[i]!)) i = closing(lines, i + 1);
      continue;
    }
    const end = closing(lines, i + 1);
    const lang = m[1]!;
    if ((SHELL_LANGS as readonly string[]).includes(lang)) {
      const before = lines.slice(Math.max(0, i - MARK_WINDOW), i).join('\n');
      const body = lines.slice(i + 1, end);
      const code =
        lang === 'console'
          ? body
              .filter((l) => /^\$ /.test(l))
              .map((l) => l.slice(2))
              .join('\n')
          : body.join('\n');
      out.push({ line: i + 2, lang, code, excerpt: /<!--\s*excerpt\b[^>]*-->/.test(before), cwd: /<!--\s*run from:\s*(\S+)\s*-->/.exec(before)?.[1] ?? '.' });
    }
    i = end;
  }
  return out;
}

function closing(lines: string[], from: number): number {
  let j = from;
  while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
  return j;
}

/** The fenced shell blocks of a markdown file that are meant to run (not excerpts). */
export function shellBlocks(file: string): { line: number; code: string; cwd: string }[] {
  return allShellBlocks(file).filter((b) => !b.excerpt);
}

/** README.md and every markdown file under docs/, as paths relative to root, sorted. */
export function documentedPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : f.endsWith('.md') ? [relative(root, p)] : [];
    });
  return ['README.md', ...walk(join(root, 'docs')).sort()];
}
