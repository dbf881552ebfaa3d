/** Durations as operators write them: 0, 90s, 30m, 12h, 7d (a bare number is seconds), or forever. */
export const DURATION_PATTERN = '^(\\d{1,10}\\s*(ms|s|m|h|d)?|forever|never)$';

const UNIT = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds, null for forever; undefined when the text is not a duration (at most ten years). */
export function parseDuration(s: string): number | null | undefined {
  const t = s.trim();
  if (t === 'forever' || t === 'never') return null;
  const m = /^(\d{1,10})\s*(ms|s|m|h|d)?$/.exec(t);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT[(m[2] ?? 's') as keyof typeof UNIT];
  return ms > 3650 * UNIT.d ? undefined : ms;
}
