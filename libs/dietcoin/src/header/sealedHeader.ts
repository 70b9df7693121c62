// A sealed header on the wire: the header and, beside it, the seals that finalized it.
//
// Layout:
//   offset 0  version        u8 = 1
//   offset 1  headerLength   u32 big-endian, ≤ MAX_HEADER_BYTES
//   offset 5  header         RLP (see header.ts)
//   then      round          u32 big-endian
//   then      sealCount      u16 big-endian, ≤ MAX_VALIDATORS
//   then      sealCount × 65-byte seals
import { ByteReader, checkBound } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import { SEAL_BYTES } from '../seal/seal.js';
import { MAX_VALIDATORS } from '../seal/validatorSet.js';
import type { Seals } from './extraData.js';
import { type DecodedHeader, decodeHeader, MAX_HEADER_BYTES } from './header.js';

const SEALED_HEADER_VERSION = 1;

export interface SealedHeader {
  header: DecodedHeader;
  seals: Seals;
}

export function encodeSealedHeader(s: SealedHeader): Uint8Array {
  const w = new ByteWriter(s.header.rlp.length + 16 + SEAL_BYTES * s.seals.seals.length);
  w.u8(SEALED_HEADER_VERSION).u32(s.header.rlp.length).bytes(s.header.rlp);
  w.u32(s.seals.round).u16(s.seals.seals.length);
  for (const seal of s.seals.seals) {
    if (seal.length !== SEAL_BYTES)
      throw new DietcoinError('MALFORMED_SIGNATURE', `seal is ${seal.length} bytes`);
    w.bytes(seal);
  }
  return w.finish();
}

/**
 * Decodes a sealed header strictly (the header through `decodeHeader`).
 * @throws DietcoinError UNKNOWN_VERSION, TRUNCATED, OVERSIZED, TRAILING_BYTES or a header decoding code.
 */
export function decodeSealedHeader(bytes: Uint8Array): SealedHeader {
  const r = new ByteReader(bytes, 'sealed header');
  const version = r.u8();
  if (version !== SEALED_HEADER_VERSION) {
    throw new DietcoinError('UNKNOWN_VERSION', `sealed header version ${version} is unknown`);
  }
  const len = r.u32();
  checkBound('sealed header length', len, MAX_HEADER_BYTES);
  const header = decodeHeader(r.take(len));
  const round = r.u32();
  const count = r.u16();
  checkBound('sealed header seal count', count, MAX_VALIDATORS);
  const seals: Uint8Array[] = [];
  for (let i = 0; i < count; i++) seals.push(r.take(SEAL_BYTES));
  r.end();
  return { header, seals: { round, seals } };
}
