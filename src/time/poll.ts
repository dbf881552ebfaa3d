/**
 * Polling that backs off: the first look comes soon (a sandbox or a fast central server answers in
 * moments), later ones ever further apart up to a cap (a real server distributes global configuration
 * once a minute, and its admin API is rate limited). Bounded in time by the caller's deadline and in count.
 */
export interface Backoff {
  /** the first wait, ms */
  firstMs: number;
  /** the longest wait, ms */
  maxMs: number;
  factor: number;
}

/** 250 ms, then ×1.5 up to 5 s: about 14 polls in the first minute, then 12 a minute. */
export const GLOBALCONF_POLL: Backoff = { firstMs: 250, maxMs: 5000, factor: 1.5 };

/** The i-th wait (0-based) of a backoff. */
export function backoffDelay(i: number, b: Backoff = GLOBALCONF_POLL): number {
  return Math.min(b.maxMs, Math.round(b.firstMs * b.factor ** Math.min(i, 64)));
}

/** The wait before poll i+1, never past the deadline; undefined when the deadline leaves no room. */
export function nextWait(i: number, deadline: number, b: Backoff = GLOBALCONF_POLL, now = Date.now()): number | undefined {
  const left = deadline - now;
  if (left <= 0) return undefined;
  return Math.min(backoffDelay(i, b), left);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Probe until `test` holds or the deadline leaves no room for another wait: the one polling loop of the
 * runbooks. Returns the last probe's value and whether it passed.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  test: (v: T) => boolean,
  o: { deadline: number; backoff?: Backoff; sleep?: (ms: number) => Promise<void>; onWait?: () => void },
): Promise<{ ok: boolean; last: T }> {
  const wait = o.sleep ?? sleep;
  let last = await probe();
  for (let i = 0; i < 100_000 && !test(last); i++) {
    const ms = nextWait(i, o.deadline, o.backoff);
    if (ms === undefined) return { ok: false, last };
    o.onWait?.();
    await wait(ms);
    last = await probe();
  }
  return { ok: test(last), last };
}
