// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 over eight 256-entry tables.
// Check value: crc32c("123456789") === 0xE3069283.

const POLY = 0x82f63b78;
const TABLES = new Int32Array(256 * 8);

for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}

/** CRC32C of `bytes[start, end)`, continuing from `crc` (0 to start). Returns an unsigned 32-bit value. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const T = TABLES;
  let c = ~crc;
  let i = start;
  const end8 = end - ((end - i) & 7);
  while (i < end8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ c;
    c =
      T[1792 + (a & 0xff)]! ^
      T[1536 + ((a >>> 8) & 0xff)]! ^
      T[1280 + ((a >>> 16) & 0xff)]! ^
      T[1024 + (a >>> 24)]! ^
      T[768 + bytes[i + 4]!]! ^
      T[512 + bytes[i + 5]!]! ^
      T[256 + bytes[i + 6]!]! ^
      T[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = T[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32C of `bytes[start, end)` where `words` is a Uint32Array over the same memory as `bytes`
 *  (from its byte 0) and `start` is a multiple of 4: reads four bytes per load. */
export function crc32cAligned(bytes: Uint8Array, words: Uint32Array, start: number, end: number): number {
  const T = TABLES;
  let c = -1;
  let i = start;
  const end8 = end - ((end - i) & 7);
  while (i < end8) {
    const w = i >>> 2;
    const a = words[w]! ^ c;
    const b = words[w + 1]!;
    c =
      T[1792 + (a & 0xff)]! ^
      T[1536 + ((a >>> 8) & 0xff)]! ^
      T[1280 + ((a >>> 16) & 0xff)]! ^
      T[1024 + (a >>> 24)]! ^
      T[768 + (b & 0xff)]! ^
      T[512 + ((b >>> 8) & 0xff)]! ^
      T[256 + ((b >>> 16) & 0xff)]! ^
      T[b >>> 24]!;
    i += 8;
  }
  while (i < end) c = T[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
