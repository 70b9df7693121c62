// An account's RLP, `[nonce, balance, storageRoot, codeHash]`, written straight into one buffer.
// The merge puts every account a worker wrote into the coordinator's state cache, which stores
// accounts as RLP: ethereumjs's Account.serialize goes through hex strings and a copy per nesting
// level, the largest part of each put.
import { Account } from '@ethereumjs/util';

/** Big-endian bytes of `v` without leading zeros (none for 0). */
function unsignedBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError(`negative account field ${v}`);
  if (v === 0n) return EMPTY;
  if (v < 9007199254740992n) {
    let x = Number(v);
    let n = 0;
    for (let y = x; y > 0; y = Math.floor(y / 256)) n++;
    const out = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x % 256;
    return out;
  }
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const EMPTY = new Uint8Array(0);

/** Length of an RLP string item holding `bytes` (at most 55 bytes, as account fields are). */
function itemLength(bytes: Uint8Array): number {
  return bytes.length === 1 && (bytes[0] as number) < 0x80 ? 1 : 1 + bytes.length;
}

function writeItem(out: Uint8Array, at: number, bytes: Uint8Array): number {
  if (bytes.length === 1 && (bytes[0] as number) < 0x80) {
    out[at] = bytes[0] as number;
    return at + 1;
  }
  out[at] = 0x80 + bytes.length;
  out.set(bytes, at + 1);
  return at + 1 + bytes.length;
}

/** The RLP of an account, byte for byte what `Account.serialize()` gives. */
export function encodeAccount(
  nonce: bigint,
  balance: bigint,
  storageRoot: Uint8Array,
  codeHash: Uint8Array,
): Uint8Array {
  if (storageRoot.length !== 32 || codeHash.length !== 32)
    throw new RangeError('storage root and code hash must be 32 bytes');
  const n = unsignedBytes(nonce);
  const b = unsignedBytes(balance);
  if (n.length > 32 || b.length > 32) throw new RangeError('nonce or balance over 256 bits');
  const payload = itemLength(n) + itemLength(b) + 66;
  // The payload is at least 68 bytes: a long list, with a one-byte length (at most 132).
  const out = new Uint8Array(2 + payload);
  out[0] = 0xf8;
  out[1] = payload;
  let at = writeItem(out, 2, n);
  at = writeItem(out, at, b);
  out[at] = 0xa0;
  out.set(storageRoot, at + 1);
  out[at + 33] = 0xa0;
  out.set(codeHash, at + 34);
  return out;
}

/** An account carrying its RLP, made once: the state manager's cache asks only for `serialize()`. */
export class EncodedAccount extends Account {
  declare private readonly encoded: Uint8Array;

  constructor(nonce: bigint, balance: bigint, storageRoot: Uint8Array, codeHash: Uint8Array) {
    super(nonce, balance, storageRoot, codeHash);
    this.encoded = encodeAccount(nonce, balance, storageRoot, codeHash);
  }

  override serialize(): Uint8Array {
    return this.encoded;
  }
}
