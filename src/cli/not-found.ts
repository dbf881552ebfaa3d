import type { Hook } from '@oclif/core';
import { ExitCode, UsageError } from '../errors/index.js';
import { Output, preloadChalk } from '../output/index.js';

/** Edit distance (insert, delete, substitute, swap of neighbours), bounded inputs: command words. */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * What the operator meant by the words of an unknown command: the longest run of words that is a
 * topic, then the closest command or sub-topic below it to the first unknown word.
 */
export function suggest(words: string[], ids: string[]): { known: string[]; unknown: string; suggestion?: string } {
  const topics = new Set(
    ids.flatMap((id) =>
      id
        .split(':')
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join(':')),
    ),
  );
  let known: string[] = [];
  while (known.length < words.length - 1 && topics.has([...known, words[known.length]].join(':'))) known = [...known, words[known.length]!];
  const unknown = words[known.length] ?? '';
  const prefix = known.length ? known.join(':') + ':' : '';
  const children = [...new Set(ids.filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length).split(':')[0]!))];
  const best = children.map((c) => ({ c, d: distance(unknown.toLowerCase(), c) })).sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))[0];
  const close = best && (best.d <= Math.max(1, Math.floor(unknown.length / 3)) + 1 || best.c.startsWith(unknown.toLowerCase()));
  return { known, unknown, suggestion: close ? [...known, best.c].join(' ') : undefined };
}

/**
 * An unknown command or topic: did-you-mean on the command words (never the internal id with
 * colons), exit 2 like every usage error, one JSON error document with --json.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const words = opts.id.split(':');
  const argv = [...words, ...(opts.argv ?? [])];
  const json = argv.includes('--json');
  const noColor = argv.includes('--no-color');
  await preloadChalk({ json, noColor });
  const out = new Output({ json, noColor });
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const { known, unknown, suggestion } = suggest(words, ids);
  const bin = opts.config.bin;
  const typed = [bin, ...known, unknown].join(' ');
  const help = `${[bin, ...known].join(' ')} --help`;
  out.error(
    new UsageError(`'${typed}' is not a command${suggestion ? `; did you mean '${bin} ${suggestion}'?` : ''}`, {
      hint: `${help} lists the ${known.length ? `commands of ${known.join(' ')}` : 'commands'}`,
    }),
  );
  process.exitCode = ExitCode.INVALID_INPUT;
};

export default hook;
