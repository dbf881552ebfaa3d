import { describe, expect, it } from 'vitest';
import { GLOBALCONF_POLL, backoffDelay, nextWait } from '../../src/time/poll.js';

describe('polling backoff', () => {
  it('starts at 250 ms, grows by half each time, and stays at 5 s', () => {
    const waits = Array.from({ length: 12 }, (_, i) => backoffDelay(i));
    expect(waits.slice(0, 4)).toEqual([250, 375, 563, 844]);
    expect(waits.every((w, i) => i === 0 || w >= waits[i - 1]!)).toBe(true);
    expect(Math.max(...waits)).toBe(GLOBALCONF_POLL.maxMs);
    expect(backoffDelay(10_000)).toBe(5000);
  });

  it('never waits past the deadline, and says when there is no room left', () => {
    const now = 1_000_000;
    expect(nextWait(0, now + 100, GLOBALCONF_POLL, now)).toBe(100);
    expect(nextWait(9, now + 60_000, GLOBALCONF_POLL, now)).toBe(5000);
    expect(nextWait(0, now, GLOBALCONF_POLL, now)).toBeUndefined();
  });

  it('a real server (60 s distribution) is polled at most about 26 times in two minutes', () => {
    let t = 0;
    let n = 0;
    while (t < 120_000) t += backoffDelay(n++);
    expect(n).toBeLessThanOrEqual(30);
  });
});
