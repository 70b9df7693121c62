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

// One scratch buffer for prefixed hashes: hash-wasm allocates two views per update() call, so
// prefix, left and right go in with one update instead of three (Merkle hashing is the hot path).
let scratch = new Uint8Array(1024);

/** keccak-256 of one prefix byte followed by `a` and `b`: the Merkle leaf (0), node (1) and root (2) hashes. */
export function keccak256Prefixed(prefix: 0 | 1 | 2, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const h = keccakHasher();
  const n = 1 + a.length + (b ? b.length : 0);
  if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  scratch[0] = prefix;
  scratch.set(a, 1);
  if (b) scratch.set(b, 1 + a.length);
  h.init();
  h.update(scratch.subarray(0, n));
  return h.digest('binary');
}
