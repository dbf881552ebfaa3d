/**
 * Token keys for the sandbox's servers, from three places in turn:
 *
 * - **Recycled**: keys a restore threw away. A restored state no longer holds them, so every key within any
 *   one state is still unique; a test that restores a snapshot per case (the fault matrix) pays for RSA key
 *   generation once instead of per case.
 * - **Spares**: keys made ahead, in the thread pool, while the sandbox waits. One machine simulates every
 *   server, and an RSA key costs a core hundreds of milliseconds: fifty servers making a key at once (a
 *   fleet's rotation) would queue on two cores for many seconds, where fifty real servers each use their
 *   own. A sandbox keeps up to `spareKeys` (default: one per security server from ten servers up, none
 *   below; SandboxOptions.spareKeys, `sandbox start --spare-keys`); each is handed out once, never kept in
 *   the state before it is, and lost at a stop.
 * - **Fresh**: made on demand (the engine's generateKey), when neither has one.
 */
import type { KeyPairPem } from '../pki/keys.js';
import type { Engine } from './engine.js';
import type { State } from './model.js';

const pools = new WeakMap<Engine, KeyPairPem[]>();
const MAX = 64;

interface Spares {
  keys: KeyPairPem[];
  target: number;
  making: number;
  stopped: boolean;
}
const spares = new WeakMap<Engine, Spares>();
/** keys made at once for the spares: no more than the cores a busy sandbox shares with its clients */
const SPARE_PARALLEL = 2;
export const MAX_SPARE_KEYS = 200;

/** The spare keys' default: one per security server from ten servers up. */
export function defaultSpareKeys(securityServers: number): number {
  return securityServers >= 10 ? Math.min(MAX_SPARE_KEYS, securityServers) : 0;
}

/** Keep `target` spare keys for this engine from now on (0: none). */
export function keepSpareKeys(e: Engine, target: number): void {
  const s = spares.get(e) ?? { keys: [], target: 0, making: 0, stopped: false };
  s.target = Math.max(0, Math.min(MAX_SPARE_KEYS, Math.floor(target)));
  spares.set(e, s);
  refill(e, s);
}

/** No more spares are made (the sandbox stops); keys being made are dropped when they come. */
export function stopSpareKeys(e: Engine): void {
  const s = spares.get(e);
  if (s) {
    s.stopped = true;
    s.keys = [];
  }
}

export function spareKeyCount(e: Engine): { spares: number; target: number } {
  const s = spares.get(e);
  return { spares: s?.keys.length ?? 0, target: s?.target ?? 0 };
}

function refill(e: Engine, s: Spares): void {
  while (!s.stopped && s.making < SPARE_PARALLEL && s.keys.length + s.making < s.target) {
    s.making++;
    void e.generateKey().then(
      (k) => {
        s.making--;
        if (!s.stopped && s.keys.length < s.target) s.keys.push(k);
        refill(e, s);
      },
      () => {
        // a failed generation is not retried here: the next key handed out tries again
        s.making--;
      },
    );
  }
}

/** A key pair for a new token key: a recycled one, a spare, or a fresh one. */
export async function newTokenKeyPair(e: Engine): Promise<KeyPairPem> {
  const recycled = pools.get(e)?.pop();
  if (recycled) return recycled;
  const s = spares.get(e);
  const spare = s?.keys.shift();
  if (s) refill(e, s);
  return spare ?? (await e.generateKey());
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
