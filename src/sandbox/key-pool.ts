/**
 * Token keys a restore threw away, used again before new ones are generated. A restored state no longer
 * holds them, so every key within any one state is still unique; a test that restores a snapshot per case
 * (the fault matrix) pays for RSA key generation once instead of per case (hundreds of milliseconds of CPU
 * each on a busy machine; the engine makes fresh ones in the thread pool).
 */
import type { KeyPairPem } from '../pki/keys.js';
import type { Engine } from './engine.js';
import type { State } from './model.js';

const pools = new WeakMap<Engine, KeyPairPem[]>();
const MAX = 64;

/** A key pair for a new token key: a recycled one, or a fresh one. */
export async function newTokenKeyPair(e: Engine): Promise<KeyPairPem> {
  return pools.get(e)?.pop() ?? (await e.generateKey());
}

/** Before the engine's state becomes `next`: keep the token keys of the current state that `next` does not have. */
export function recycleKeys(e: Engine, next: State): void {
  const kept = new Set(next.ss.flatMap((s) => s.keys.map((k) => k.privateKeyPem)));
  // a pooled key the restored state holds (it was made before the snapshot) must not be handed out again
  const pool = (pools.get(e) ?? []).filter((p) => !kept.has(p.privateKeyPem));
  pools.set(e, pool);
  for (const s of e.st.ss)
    for (const k of s.keys)
      if (!kept.has(k.privateKeyPem) && pool.length < MAX && !pool.some((p) => p.privateKeyPem === k.privateKeyPem))
        pool.push({ privateKeyPem: k.privateKeyPem, publicKeyPem: k.publicKeyPem });
}
