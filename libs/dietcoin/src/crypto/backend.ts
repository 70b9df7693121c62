// Crypto backends, fixed for the team: native libsecp256k1 through `secp256k1/bindings` (never the
// plain entry, which silently falls back to pure-JS elliptic) and keccak-256 through hash-wasm.
// hash-wasm needs an async init, so the library starts with `await initDietcoin()`.
import { createRequire } from 'node:module';
import { createKeccak, type IHasher } from 'hash-wasm';
import { DietcoinError } from '../errors.js';

/** The subset of the secp256k1 native binding dietcoin uses. */
export interface Secp256k1Backend {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(privateKey: Uint8Array): boolean;
}

/** Which implementation backs each primitive, for logs and start-up checks. */
export interface DietcoinBackends {
  secp256k1: 'libsecp256k1-native';
  keccak256: 'hash-wasm';
}

let hasher: IHasher | undefined;
let secp: Secp256k1Backend | undefined;
let initializing: Promise<DietcoinBackends> | undefined;

const BACKENDS: DietcoinBackends = { secp256k1: 'libsecp256k1-native', keccak256: 'hash-wasm' };

function loadNativeSecp256k1(): Secp256k1Backend {
  const require = createRequire(import.meta.url);
  try {
    // `secp256k1/bindings` loads the prebuilt addon through node-gyp-build and throws when it is
    // missing; unlike `secp256k1` it never falls back to elliptic.
    return require('secp256k1/bindings') as Secp256k1Backend;
  } catch (cause) {
    throw new DietcoinError(
      'CRYPTO_BACKEND_UNAVAILABLE',
      'native libsecp256k1 (secp256k1/bindings) did not load; refusing to fall back to pure JS',
      { cause },
    );
  }
}

/**
 * Loads the crypto backends once; every other operation of the library needs it first.
 * @throws DietcoinError CRYPTO_BACKEND_UNAVAILABLE when the native secp256k1 or WASM keccak fail to load.
 * @example const backends = await initDietcoin(); // { secp256k1: 'libsecp256k1-native', keccak256: 'hash-wasm' }
 */
export function initDietcoin(): Promise<DietcoinBackends> {
  if (hasher && secp) return Promise.resolve(BACKENDS);
  initializing ??= (async () => {
    const nativeSecp = loadNativeSecp256k1();
    let wasmKeccak: IHasher;
    try {
      wasmKeccak = await createKeccak(256);
    } catch (cause) {
      throw new DietcoinError('CRYPTO_BACKEND_UNAVAILABLE', 'hash-wasm keccak-256 did not load', { cause });
    }
    secp = nativeSecp;
    hasher = wasmKeccak;
    return BACKENDS;
  })();
  initializing.catch(() => {
    initializing = undefined;
  });
  return initializing;
}

/** The backends in use, or undefined before `initDietcoin()` resolved. */
export function dietcoinBackends(): DietcoinBackends | undefined {
  return hasher && secp ? BACKENDS : undefined;
}

function notInitialized(): never {
  throw new DietcoinError('NOT_INITIALIZED', 'dietcoin used before `await initDietcoin()`');
}

/** The keccak hasher; throws NOT_INITIALIZED before init. */
export function keccakHasher(): IHasher {
  return hasher ?? notInitialized();
}

/** The native secp256k1 binding; throws NOT_INITIALIZED before init. */
export function secp256k1(): Secp256k1Backend {
  return secp ?? notInitialized();
}
