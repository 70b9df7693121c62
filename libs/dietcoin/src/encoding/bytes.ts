// Byte helpers shared by the codecs.

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order of byte strings: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new TypeError(`not a hex string: ${hex}`);
  return new Uint8Array(Buffer.from(h, 'hex'));
}

/** Big-endian minimal bytes of a non-negative integer (0 -> empty), as RLP wants. */
export function bigintToMinimalBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('negative integer');
  if (v === 0n) return new Uint8Array(0);
  // little-endian bytes, 48 bits at a time (two BigInt operations per 6 bytes)
  const le: number[] = [];
  for (let x = v; x > 0n; x >>= 48n) {
    let chunk = Number(x & 0xffff_ffff_ffffn);
    for (let i = 0; i < 6; i++) {
      le.push(chunk % 256);
      chunk = Math.floor(chunk / 256);
    }
  }
  while (le[le.length - 1] === 0) le.pop();
  const out = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i++) out[i] = le[le.length - 1 - i]!;
  return out;
}

/** Big-endian bytes (any length) to bigint. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(bytesToHex(bytes));
}

/** Big-endian 32-byte word of a non-negative integer below 2^256. */
export function bigintToWord(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 256n) throw new RangeError('integer out of uint256 range');
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Writes `v` (0 ≤ v < 2^53) as 8 big-endian bytes at `offset`; returns the next offset. */
export function writeU64(view: DataView, offset: number, v: number): number {
  view.setUint32(offset, Math.floor(v / 0x1_0000_0000), false);
  view.setUint32(offset + 4, v >>> 0, false);
  return offset + 8;
}

export function readU64(view: DataView, offset: number): number {
  const hi = view.getUint32(offset, false);
  if (hi > 0x1f_ffff) throw new RangeError('uint64 above 2^53');
  return hi * 0x1_0000_0000 + view.getUint32(offset + 4, false);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
