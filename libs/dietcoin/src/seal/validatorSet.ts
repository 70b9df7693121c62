// Validator sets: sorted by address, hashed canonically as
//   validatorsHash = keccak256(abi.encode(address[] addresses, uint256[] stakes))
// with the addresses in ascending byte order. Enterprise chains count heads (stake 1 each by
// convention); the hub weighs stake.
//
// Wire layout (encodeValidatorSet):
//   offset 0  version      u8 = 1
//   offset 1  count        u16 big-endian, 1..MAX_VALIDATORS
//   offset 3  count × (address 20 bytes, stake 32 bytes big-endian)
import { keccak256 } from '../crypto/keccak.js';
import { bigintToWord, bytesToBigint, bytesToHex, compareBytes } from '../encoding/bytes.js';
import { ByteReader, checkBound } from '../encoding/reader.js';
import { DietcoinError } from '../errors.js';

export const MAX_VALIDATORS = 1024;
const VALIDATOR_SET_VERSION = 1;
const ENTRY_BYTES = 52;

/** How a quorum is counted: heads (enterprise chains) or stake (hub). Strictly above 2/3 either way. */
export type QuorumRule = 'count' | 'stake';

export interface Validator {
  address: Uint8Array;
  stake: bigint;
}

export interface ValidatorSet {
  /** Ascending by address, no duplicates. */
  readonly validators: readonly Validator[];
  readonly hash: Uint8Array;
  readonly totalStake: bigint;
  /** Position of a validator by its lowercase hex address without 0x. */
  indexOf(address: Uint8Array): number | undefined;
}

export interface CreateValidatorSetParameters {
  validators: readonly Validator[];
}

function invalidSet(why: string): never {
  throw new DietcoinError('INVALID_VALIDATOR_SET', `validator set ${why}`);
}

function key(address: Uint8Array): string {
  return Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString('hex');
}

/**
 * Builds a validator set: sorts by address, computes its hash.
 * @throws DietcoinError INVALID_VALIDATOR_SET on an empty set, a duplicate, a bad address or stake.
 */
export function createValidatorSet({ validators }: CreateValidatorSetParameters): ValidatorSet {
  if (validators.length === 0) invalidSet('is empty');
  checkBound('validator count', validators.length, MAX_VALIDATORS);
  const sorted = validators
    .map((v) => {
      if (v.address.length !== 20) invalidSet(`has an address of ${v.address.length} bytes`);
      if (v.stake <= 0n || v.stake >= 1n << 256n)
        invalidSet(`has a stake of ${v.stake} for ${bytesToHex(v.address)}`);
      return { address: v.address.slice(), stake: v.stake };
    })
    .sort((a, b) => compareBytes(a.address, b.address));
  const index = new Map<string, number>();
  let total = 0n;
  sorted.forEach((v, i) => {
    const k = key(v.address);
    if (index.has(k)) invalidSet(`lists ${bytesToHex(v.address)} twice`);
    index.set(k, i);
    total += v.stake;
  });
  return {
    validators: sorted,
    hash: hashValidators(sorted),
    totalStake: total,
    indexOf: (address) => index.get(key(address)),
  };
}

/** keccak256(abi.encode(address[], uint256[])) of validators already sorted by address. */
function hashValidators(sorted: readonly Validator[]): Uint8Array {
  const n = sorted.length;
  // head: two offsets; then each array: length word + n words
  const out = new Uint8Array(64 + 2 * (32 + 32 * n));
  const arrayBytes = 32 + 32 * n;
  out.set(bigintToWord(64n), 0);
  out.set(bigintToWord(BigInt(64 + arrayBytes)), 32);
  out.set(bigintToWord(BigInt(n)), 64);
  out.set(bigintToWord(BigInt(n)), 64 + arrayBytes);
  sorted.forEach((v, i) => {
    out.set(v.address, 64 + 32 + 32 * i + 12);
    out.set(bigintToWord(v.stake), 64 + arrayBytes + 32 + 32 * i);
  });
  return keccak256(out);
}

/** Encodes a set for the wire or the store. */
export function encodeValidatorSet(set: ValidatorSet): Uint8Array {
  const out = new Uint8Array(3 + ENTRY_BYTES * set.validators.length);
  out[0] = VALIDATOR_SET_VERSION;
  new DataView(out.buffer).setUint16(1, set.validators.length, false);
  set.validators.forEach((v, i) => {
    out.set(v.address, 3 + ENTRY_BYTES * i);
    out.set(bigintToWord(v.stake), 3 + ENTRY_BYTES * i + 20);
  });
  return out;
}

/**
 * Decodes a set strictly (sorted, no duplicates, positive stakes, no trailing bytes).
 * @throws DietcoinError UNKNOWN_VERSION, TRUNCATED, OVERSIZED, TRAILING_BYTES, NON_CANONICAL, INVALID_VALIDATOR_SET.
 */
export function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  const r = new ByteReader(bytes, 'validator set');
  const version = r.u8();
  if (version !== VALIDATOR_SET_VERSION) {
    throw new DietcoinError('UNKNOWN_VERSION', `validator set version ${version} is unknown`);
  }
  const count = r.u16();
  checkBound('validator count', count, MAX_VALIDATORS);
  const validators: Validator[] = [];
  for (let i = 0; i < count; i++) {
    const address = r.take(20).slice();
    const stake = bytesToBigint(r.take(32));
    const prev = validators[i - 1];
    if (prev && compareBytes(prev.address, address) >= 0) {
      throw new DietcoinError('NON_CANONICAL', 'validator set is not sorted by address without duplicates');
    }
    validators.push({ address, stake });
  }
  r.end();
  return createValidatorSet({ validators });
}

/** Strictly above 2/3: `3 × power > 2 × total`. */
export function hasQuorum(power: bigint, total: bigint): boolean {
  return 3n * power > 2n * total;
}
