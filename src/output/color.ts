/**
 * Colour decisions, made here and nowhere else (chalk alone ignores NO_COLOR).
 * Each stream is judged on its own: stdout may be a pipe while stderr is a terminal.
 */
export interface ColorEnv {
  env: NodeJS.ProcessEnv;
  noColorFlag?: boolean;
}

export function colorLevelFor(stream: { isTTY?: boolean }, { env, noColorFlag }: ColorEnv): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (env.TERM === 'dumb') return 0;
  if (!stream.isTTY) return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  if (env.TERM && /256/.test(env.TERM)) return 2;
  return 1;
}
