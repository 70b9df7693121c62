// RLP encoding of nested byte strings into one buffer: the same bytes as @ethereumjs/rlp's
// `RLP.encode`, which encodes every item into its own array and concatenates them level by level
// (a block's receipts were copied four times over, ~60 us per transaction at commit). Here the
// payload lengths are measured in one pass and the items written in a second.

/** A byte string or a list of them, nested. */
export type RLPInput = Uint8Array | readonly RLPInput[];

/** Bytes of the length prefix of an item of `length` payload bytes (beyond the first byte). */
function lengthOfLength(length: number): number {
  let n = 0;
  for (let l = length; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

function bytesSize(b: Uint8Array): number {
  if (b.length === 1 && (b[0] as number) < 0x80) return 1;
  return b.length < 56 ? 1 + b.length : 1 + lengthOfLength(b.length) + b.length;
}

/** Payload length of every list, in the order the writer meets them (pre-order). */
function measure(item: RLPInput, payloads: number[]): number {
  if (item instanceof Uint8Array) return bytesSize(item);
  if (!Array.isArray(item)) throw new TypeError('encodeRLP: items must be Uint8Array or arrays of them');
  const slot = payloads.length;
  payloads.push(0);
  let payload = 0;
  for (const child of item) payload += measure(child, payloads);
  payloads[slot] = payload;
  return payload < 56 ? 1 + payload : 1 + lengthOfLength(payload) + payload;
}

function writeHeader(out: Uint8Array, at: number, length: number, short: number, long: number): number {
  if (length < 56) {
    out[at] = short + length;
    return at + 1;
  }
  const n = lengthOfLength(length);
  out[at] = long + n;
  for (let i = n, l = length; i > 0; i--, l = Math.floor(l / 256)) out[at + i] = l % 256;
  return at + 1 + n;
}

function write(
  item: RLPInput,
  out: Uint8Array,
  at: number,
  payloads: number[],
  next: { list: number },
): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && (item[0] as number) < 0x80) {
      out[at] = item[0] as number;
      return at + 1;
    }
    const start = writeHeader(out, at, item.length, 0x80, 0xb7);
    out.set(item, start);
    return start + item.length;
  }
  const payload = payloads[next.list++] as number;
  let cursor = writeHeader(out, at, payload, 0xc0, 0xf7);
  for (const child of item) cursor = write(child, out, cursor, payloads, next);
  return cursor;
}

/** The RLP encoding of `input`. Throws TypeError on an item that is neither bytes nor a list. */
export function encodeRLP(input: RLPInput): Uint8Array {
  const payloads: number[] = [];
  const size = measure(input, payloads);
  const out = new Uint8Array(size);
  write(input, out, 0, payloads, { list: 0 });
  return out;
}
