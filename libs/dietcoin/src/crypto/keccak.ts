// keccak-256 over hash-wasm, synchronous once `initDietcoin()` resolved.
import { keccakHasher } from './backend.js';

/**
 * keccak-256 of the concatenation of `parts`.
 * @throws DietcoinError NOT_INITIALIZED before `initDietcoin()`.
 */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  const h = keccakHasher();
  h.init();
  for (const p of parts) h.update(p);
  return h.digest('binary');
}

const PREFIX = [new Uint8Array([0]), new Uint8Array([1]), new Uint8Array([2])] as const;

/** keccak-256 of one prefix byte followed by `a` and `b`: the Merkle leaf (0), node (1) and root (2) hashes. */
export function keccak256Prefixed(prefix: 0 | 1 | 2, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const h = keccakHasher();
  h.init();
  h.update(PREFIX[prefix]);
  h.update(a);
  if (b) h.update(b);
  return h.digest('binary');
}
