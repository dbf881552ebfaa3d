import { describe, expect, it } from 'vitest';
import type { KeyPairPem } from '../../src/pki/keys.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { defaultSpareKeys, keepSpareKeys, MAX_SPARE_KEYS, newTokenKeyPair, spareKeyCount, stopSpareKeys } from '../../src/sandbox/key-pool.js';
import { parseDaemonArgs } from '../../src/sandbox/daemon.js';

/** An engine whose key generation is counted and can be held: the pool's own logic, without RSA's cost. */
function fakeEngine() {
  let n = 0;
  const waiting: (() => void)[] = [];
  let hold = false;
  const e = {
    st: { ss: [] },
    made: () => n,
    hold(v: boolean) {
      hold = v;
      if (!v) for (const w of waiting.splice(0)) w();
    },
    async generateKey(): Promise<KeyPairPem> {
      if (hold) await new Promise<void>((r) => waiting.push(r));
      n++;
      return { privateKeyPem: `private-${n}`, publicKeyPem: `public-${n}` };
    },
  };
  return e as typeof e & Engine;
}
const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};

describe('sandbox spare token keys', () => {
  it('keeps the number asked for, made a few at a time, and refills after each one handed out', async () => {
    const e = fakeEngine();
    keepSpareKeys(e, 5);
    await settle();
    expect(spareKeyCount(e)).toEqual({ spares: 5, target: 5 });
    expect(e.made()).toBe(5);
    const taken = await Promise.all(Array.from({ length: 8 }, () => newTokenKeyPair(e)));
    // every key is handed out once: five spares, three made on demand
    expect(new Set(taken.map((k) => k.privateKeyPem)).size).toBe(8);
    await settle();
    expect(spareKeyCount(e).spares).toBe(5);
    const again = await newTokenKeyPair(e);
    expect(taken.map((k) => k.privateKeyPem)).not.toContain(again.privateKeyPem);
    stopSpareKeys(e);
  });

  it('makes at most two at once, and none after a stop (keys under way are dropped)', async () => {
    const e = fakeEngine();
    e.hold(true);
    keepSpareKeys(e, 10);
    await settle();
    stopSpareKeys(e);
    e.hold(false);
    await settle();
    expect(e.made()).toBe(2);
    expect(spareKeyCount(e).spares).toBe(0);
    // a stopped pool still hands out keys, made on demand
    expect((await newTokenKeyPair(e)).privateKeyPem).toBe('private-3');
  });

  it('defaults to one per security server from ten servers up; the daemon takes --spare-keys, bounded', () => {
    expect(defaultSpareKeys(3)).toBe(0);
    expect(defaultSpareKeys(10)).toBe(10);
    expect(defaultSpareKeys(500)).toBe(MAX_SPARE_KEYS);
    expect(parseDaemonArgs(['--dir', '/tmp/x', '--spare-keys', '7']).spareKeys).toBe(7);
    expect(() => parseDaemonArgs(['--dir', '/tmp/x', '--spare-keys', String(MAX_SPARE_KEYS + 1)])).toThrow(/at most/);
    expect(() => parseDaemonArgs(['--dir', '/tmp/x', '--spare-keys', '-1'])).toThrow();
  });
});
