// StateShardProof: a whole state shard (every account in it) and its path to shardRoot, so that a
// light client can hold part of the state.
//
// Layout:
//   offset 0  version       u8 = 1
//   offset 1  shardBits     u8, 0..16
//   offset 2  shard         u32, < 2^shardBits
//   offset 6  accountCount  u32, ≤ MAX_ACCOUNTS_PER_SHARD
//   then      accountCount × (addressHash 32, account length u8, RLP(account)), in leaf order
//   then      shard path    shardBits × 32 bytes
import { concatBytes } from '../encoding/bytes.js';
import { ByteReader, checkBound } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError, shortHex } from '../errors.js';
import { hashLeaf, merkleRoot } from '../merkle/tree.js';
import { equal32 } from '../message/shardProof.js';
import { type Account, decodeAccount, MAX_ACCOUNT_BYTES } from './account.js';
import { shardPathRoot } from './accountProof.js';
import { MAX_SHARD_BITS, type StateShards, shardOf } from './stateShards.js';

const STATE_SHARD_VERSION = 1;
export const MAX_ACCOUNTS_PER_SHARD = 1 << 24;

export interface StateShardProof {
  shardBits: number;
  shard: number;
  accounts: { addressHash: Uint8Array; account: Uint8Array }[];
  shardPath: Uint8Array[];
}

export interface CreateStateShardProofParameters {
  state: StateShards;
  shard: number;
}

export function createStateShardProof({ state, shard }: CreateStateShardProofParameters): StateShardProof {
  return {
    shardBits: state.shardBits,
    shard,
    accounts: state.shardAccounts(shard),
    shardPath: state.shardPath(shard),
  };
}

export function encodeStateShardProof(p: StateShardProof): Uint8Array {
  const w = new ByteWriter(16 + p.accounts.length * 110 + 32 * p.shardPath.length);
  w.u8(STATE_SHARD_VERSION).u8(p.shardBits).u32(p.shard).u32(p.accounts.length);
  for (const a of p.accounts) w.bytes(a.addressHash).u8(a.account.length).bytes(a.account);
  for (const s of p.shardPath) w.bytes(s);
  return w.finish();
}

/**
 * Decodes a whole-shard proof strictly.
 * @throws DietcoinError UNKNOWN_VERSION, MALFORMED, TRUNCATED, OVERSIZED or TRAILING_BYTES.
 */
export function decodeStateShardProof(bytes: Uint8Array): StateShardProof {
  const r = new ByteReader(bytes, 'state shard');
  const version = r.u8();
  if (version !== STATE_SHARD_VERSION) {
    throw new DietcoinError('UNKNOWN_VERSION', `state shard version ${version} is unknown`);
  }
  const shardBits = r.u8();
  checkBound('state shard shardBits', shardBits, MAX_SHARD_BITS);
  const shard = r.u32();
  if (shard >= 2 ** shardBits)
    throw new DietcoinError('MALFORMED', `shard ${shard} is outside 2^${shardBits} shards`);
  const count = r.u32();
  checkBound('state shard account count', count, MAX_ACCOUNTS_PER_SHARD);
  if (count * 34 > r.remaining()) throw new DietcoinError('TRUNCATED', 'state shard accounts are truncated');
  const accounts: StateShardProof['accounts'] = [];
  for (let i = 0; i < count; i++) {
    const addressHash = r.take(32);
    const len = r.u8();
    checkBound('state shard account length', len, MAX_ACCOUNT_BYTES);
    accounts.push({ addressHash, account: r.take(len) });
  }
  const shardPath: Uint8Array[] = [];
  for (let i = 0; i < shardBits; i++) shardPath.push(r.take(32));
  r.end();
  return { shardBits, shard, accounts, shardPath };
}

export interface VerifyStateShardProofParameters {
  proof: StateShardProof;
  shardRoot: Uint8Array;
  blockNumber?: number;
}

/**
 * Checks a whole shard against shardRoot: every account belongs to the shard, none twice, and the
 * shard digest with its path gives the root (which binds the count: none left out).
 * @throws DietcoinError WRONG_SHARD, NON_CANONICAL, INVALID_ACCOUNT (or a decoding code), INVALID_PROOF or WRONG_ROOT.
 */
export function verifyStateShardProof(
  p: VerifyStateShardProofParameters,
): { addressHash: Uint8Array; account: Account }[] {
  const { proof } = p;
  const out: { addressHash: Uint8Array; account: Account }[] = [];
  const leaves: Uint8Array[] = [];
  const seen = new Set<string>();
  proof.accounts.forEach((a) => {
    if (shardOf(a.addressHash, proof.shardBits) !== proof.shard) {
      throw new DietcoinError(
        'WRONG_SHARD',
        `account ${shortHex(a.addressHash)} does not belong to shard ${proof.shard}`,
      );
    }
    const key = Buffer.from(a.addressHash).toString('hex');
    if (seen.has(key)) {
      throw new DietcoinError(
        'NON_CANONICAL',
        `state shard ${proof.shard} lists account ${shortHex(a.addressHash)} twice`,
      );
    }
    seen.add(key);
    out.push({ addressHash: a.addressHash, account: decodeAccount(a.account) });
    leaves.push(hashLeaf(concatBytes(a.addressHash, a.account)));
  });
  const root = shardPathRoot(merkleRoot(leaves), proof.shard, proof.shardBits, proof.shardPath);
  if (!equal32(root, p.shardRoot)) {
    throw new DietcoinError(
      'WRONG_ROOT',
      `state shard ${proof.shard}${p.blockNumber === undefined ? '' : ` of block ${p.blockNumber}`} does not match shardRoot ${shortHex(p.shardRoot)}`,
    );
  }
  return out;
}
