// Hex conversions for addresses and hashes (lower-case, 0x-prefixed) used as map keys.
import { ConsensusError } from './errors.js';
import type { Address, Hash } from './types.js';

/** Lower-case 0x hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

const RECENT_LIMIT = 4096;
const recent = new Map<string, Uint8Array>();

/**
 * Bytes of a 0x hex string of exactly `length` bytes.
 * @throws ConsensusError MALFORMED when the string is not 0x hex of that length.
 */
export function hexToBytes(hex: string, length: number): Uint8Array {
  return hexBytesView(hex, length).slice();
}

/**
 * Like `hexToBytes`, but may return a shared array: for callers that only read it (encoders).
 * @throws ConsensusError MALFORMED when the string is not 0x hex of that length.
 */
export function hexBytesView(hex: string, length: number): Uint8Array {
  const cached = recent.get(hex);
  if (cached && cached.length === length) return cached;
  // Buffer stops at the first non-hex character, so a bad digit shows up as a short result.
  const bytes =
    hex.length === 2 + 2 * length && hex.startsWith('0x') ? Buffer.from(hex.slice(2), 'hex') : null;
  if (!bytes || bytes.length !== length) {
    throw new ConsensusError('MALFORMED', `${hex.slice(0, 20)} is not ${length} bytes of 0x hex`);
  }
  const out = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Addresses and block hashes repeat in every message of a height: keep the last few thousand.
  if (recent.size >= RECENT_LIMIT) recent.clear();
  recent.set(hex, out);
  return out;
}

/** Guard: a lower-case 20-byte 0x address. */
export function isAddress(value: string): value is Address {
  return /^0x[0-9a-f]{40}$/.test(value);
}

/** Guard: a lower-case 32-byte 0x hash. */
export function isHash(value: string): value is Hash {
  return /^0x[0-9a-f]{64}$/.test(value);
}

/** `0xabcd…ef01` for messages. */
export function shortHex(hex: string): string {
  return hex.length <= 14 ? hex : `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}

/** Byte equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
