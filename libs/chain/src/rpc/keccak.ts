// Keccak-256 through hash-wasm (the team's backend), synchronous once initialised.

import { createKeccak, type IHasher } from 'hash-wasm';

let hasher: Promise<IHasher> | undefined;

/** A keccak-256 function, ready for synchronous use once the promise resolves. */
export async function loadKeccak256(): Promise<(data: Uint8Array) => Uint8Array> {
  hasher ??= createKeccak(256);
  const h = await hasher;
  return (data) => {
    h.init();
    h.update(data);
    return h.digest('binary');
  };
}
