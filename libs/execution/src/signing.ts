// Sender recovery from a transaction's bytes. ethereumjs gets the hash a typed transaction was
// signed over by rebuilding the unsigned field list (every bigint back to bytes) and RLP-encoding
// it again; that payload is already in the signed bytes: the same fields, minus the trailing
// signature (y-parity, r, s), under a new list header.
import type { TypedTransaction } from '@ethereumjs/tx';

/** Offset just past the RLP item at `at`, or -1 when it overruns `end`. */
function skipItem(bytes: Uint8Array, at: number, end: number): number {
  const b = bytes[at];
  if (b === undefined || at >= end) return -1;
  let next: number;
  if (b < 0x80) next = at + 1;
  else if (b <= 0xb7) next = at + 1 + (b - 0x80);
  else if (b <= 0xbf || b >= 0xf8) {
    const lengthOfLength = b <= 0xbf ? b - 0xb7 : b - 0xf7;
    let length = 0;
    for (let k = 1; k <= lengthOfLength; k++) length = length * 256 + (bytes[at + k] ?? 0);
    next = at + 1 + lengthOfLength + length;
  } else next = at + 1 + (b - 0xc0);
  return next <= end ? next : -1;
}

/** RLP list header for a payload of `length` bytes. */
function listHeader(length: number): Uint8Array {
  if (length <= 55) return Uint8Array.of(0xc0 + length);
  const size: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) size.unshift(v % 256);
  return Uint8Array.from([0xf7 + size.length, ...size]);
}

/**
 * The unsigned payload of a signed typed transaction (EIP-2718 type byte and RLP list), the bytes
 * ethereumjs' `getMessageToSign()` builds; undefined for a legacy transaction or malformed bytes.
 */
export function typedSigningPayload(raw: Uint8Array): Uint8Array | undefined {
  const type = raw[0];
  if (type === undefined || type >= 0x7f || raw.length < 2) return undefined;
  const head = raw[1] as number;
  if (head < 0xc0) return undefined;
  const start = head <= 0xf7 ? 2 : 2 + (head - 0xf7);
  if (skipItem(raw, 1, raw.length) !== raw.length) return undefined;
  const ends: number[] = [];
  for (let at = start; at < raw.length; ) {
    ends.push(at);
    at = skipItem(raw, at, raw.length);
    if (at < 0) return undefined;
  }
  // The last three items are the signature.
  const signatureStart = ends[ends.length - 3];
  if (signatureStart === undefined) return undefined;
  const fields = raw.subarray(start, signatureStart);
  const header = listHeader(fields.length);
  const payload = new Uint8Array(1 + header.length + fields.length);
  payload[0] = type;
  payload.set(header, 1);
  payload.set(fields, 1 + header.length);
  return payload;
}

/**
 * The sender's public key (64 bytes) of `tx`, decoded from `raw`, unfrozen. Typed transactions
 * hash the payload cut from `raw` instead of re-encoding their fields; ethereumjs still checks the
 * signature (high s, recovery) and words the errors.
 * @throws the ethereumjs error of an invalid signature.
 */
export function recoverSenderKey(
  tx: TypedTransaction,
  raw: Uint8Array,
  keccak256: (data: Uint8Array) => Uint8Array,
): Uint8Array {
  const payload = Object.isFrozen(tx) ? undefined : typedSigningPayload(raw);
  if (payload !== undefined) {
    const hash = keccak256(payload);
    (tx as { getMessageToVerifySignature: () => Uint8Array }).getMessageToVerifySignature = () => hash;
  }
  return tx.getSenderPublicKey();
}
