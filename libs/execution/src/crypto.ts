// The team's fixed crypto backends, loaded once per thread: native libsecp256k1 (the prebuilt
// `secp256k1/bindings`, never the plain entry, which silently falls back to pure-JS elliptic) and
// keccak-256 from hash-wasm. Both are handed to ethereumjs through Common's `customCrypto`, so
// sender recovery, the ECRECOVER precompile, KECCAK256, transaction hashes and the trie use them.
import { createRequire } from 'node:module';
import { createKeccak } from 'hash-wasm';
import { ExecutionError } from './errors.js';

/** Which implementations are in use; reported in every block's stats. */
export interface CryptoBackend {
  secp256k1: 'libsecp256k1-native';
  keccak256: 'hash-wasm';
}

/** Synchronous primitives, ready once {@link loadExecutionCrypto} resolved. */
export interface ExecutionCrypto {
  readonly backend: CryptoBackend;
  keccak256(data: Uint8Array): Uint8Array;
  /** ethereumjs `ecrecover` contract: 64-byte uncompressed public key without the 0x04 prefix. */
  ecrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array;
}

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

let loading: Promise<ExecutionCrypto> | undefined;
let loaded: ExecutionCrypto | undefined;

function leftPad32(bytes: Uint8Array, out: Uint8Array, offset: number): void {
  if (bytes.length > 32)
    throw new ExecutionError('INVALID_SIGNATURE', 'signature component longer than 32 bytes');
  out.fill(0, offset, offset + 32 - bytes.length);
  out.set(bytes, offset + 32 - bytes.length);
}

/**
 * Loads the native secp256k1 binding and the WASM keccak once per thread.
 * @throws ExecutionError `CRYPTO_UNAVAILABLE` when the native binding does not load (no silent
 * fallback to pure JS).
 */
export function loadExecutionCrypto(): Promise<ExecutionCrypto> {
  loading ??= (async () => {
    let native: NativeSecp256k1;
    try {
      const require = createRequire(import.meta.url);
      native = require('secp256k1/bindings') as NativeSecp256k1;
    } catch (cause) {
      throw new ExecutionError(
        'CRYPTO_UNAVAILABLE',
        'native libsecp256k1 (secp256k1/bindings) did not load; refusing the pure-JS fallback',
        {},
        cause,
      );
    }
    const hasher = await createKeccak(256);
    const keccak256 = (data: Uint8Array): Uint8Array => hasher.init().update(data).digest('binary');
    const sig = new Uint8Array(64);
    const ecrecover = (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => {
      // Same recovery-id rules as @ethereumjs/util's ecrecover.
      let recovery: bigint;
      if (v === 0n || v === 1n) recovery = v;
      else if (chainId === undefined) recovery = v - 27n;
      else recovery = v - (chainId * 2n + 35n);
      if (recovery !== 0n && recovery !== 1n)
        throw new ExecutionError('INVALID_SIGNATURE', 'invalid signature v value');
      leftPad32(r, sig, 0);
      leftPad32(s, sig, 32);
      const pub = native.ecdsaRecover(sig, Number(recovery), msgHash, false);
      return pub.slice(1);
    };
    const crypto: ExecutionCrypto = {
      backend: { secp256k1: 'libsecp256k1-native', keccak256: 'hash-wasm' },
      keccak256,
      ecrecover,
    };
    loaded = crypto;
    return crypto;
  })();
  return loading;
}

/**
 * The crypto of this thread, once loaded.
 * @throws ExecutionError `CRYPTO_UNAVAILABLE` before {@link loadExecutionCrypto} resolved.
 */
export function executionCrypto(): ExecutionCrypto {
  if (loaded === undefined) {
    throw new ExecutionError(
      'CRYPTO_UNAVAILABLE',
      'execution crypto not loaded: await loadExecutionCrypto() first',
    );
  }
  return loaded;
}
