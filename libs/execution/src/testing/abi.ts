// A small ABI encoder for the test contracts: static arguments only (uint256, address, bool,
// bytes32), which is all the tests and the benchmark call. Needs loadExecutionCrypto() first.
import { executionCrypto } from '../crypto.js';

export type AbiArg = bigint | number | boolean | string | Uint8Array;

function word(arg: AbiArg): Uint8Array {
  const out = new Uint8Array(32);
  if (typeof arg === 'boolean') out[31] = arg ? 1 : 0;
  else if (typeof arg === 'bigint' || typeof arg === 'number') {
    let v = BigInt(arg);
    for (let i = 31; i >= 0 && v > 0n; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else {
    const bytes = typeof arg === 'string' ? hexToBytes(arg) : arg;
    if (bytes.length === 32) out.set(bytes);
    else out.set(bytes, 32 - bytes.length);
  }
  return out;
}

function hexToBytes(hex: string): Uint8Array {
  const h = hex.replace(/^0x/, '');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Calldata of `signature` (e.g. `transfer(address,uint256)`) with `args`. */
export function encodeCall(signature: string, args: readonly AbiArg[] = []): Uint8Array {
  const selector = executionCrypto().keccak256(new TextEncoder().encode(signature)).subarray(0, 4);
  const out = new Uint8Array(4 + 32 * args.length);
  out.set(selector);
  args.forEach((a, i) => {
    out.set(word(a), 4 + 32 * i);
  });
  return out;
}

/** Bytes of a 0x-hex string. */
export { hexToBytes };
