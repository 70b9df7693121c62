// keccak-256 for the node core, over hash-wasm (the team's fixed backend). hash-wasm needs one
// async initialisation: `initHashing()` before the first `keccak256`.
import { createKeccak, type IHasher } from 'hash-wasm';
import { ChainError } from '../errors.js';

let hasher: IHasher | undefined;

/** Loads hash-wasm's keccak once; later calls return at once. */
export async function initHashing(): Promise<void> {
  hasher ??= await createKeccak(256);
}

/**
 * keccak-256 of the concatenation of `parts`.
 * @throws ChainError CLOSED when `initHashing()` has not resolved.
 */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  if (!hasher) throw new ChainError('CLOSED', 'keccak256 used before initHashing() resolved');
  hasher.init();
  for (const p of parts) hasher.update(p);
  return hasher.digest('binary');
}
