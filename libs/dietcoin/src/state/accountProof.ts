// AccountProof: one account, its path in its state shard and the shard's path to shardRoot.
//
// Layout:
//   offset 0  version        u8 = 1
//   offset 1  shardBits      u8, 0..16 (the shard is the first shardBits bits of keccak(address))
//   offset 2  leaf path      MerkleProof (index, count, siblings) inside the shard
//   then      account length u8, then RLP(account)
//   then      shard path     shardBits × 32 bytes (siblings in the tree of 2^k shards)
import { keccak256 } from '../crypto/keccak.js';
import { bytesToHex, concatBytes } from '../encoding/bytes.js';
import { ByteReader, checkBound } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError, shortHex } from '../errors.js';
import { type MerkleProof, readMerkleProof, writeMerkleProof } from '../merkle/proofCodec.js';
import { hashLeaf, proofRoot } from '../merkle/tree.js';
import { equal32 } from '../message/shardProof.js';
import { type Account, decodeAccount, MAX_ACCOUNT_BYTES } from './account.js';
import { MAX_SHARD_BITS, type StateShards, shardOf } from './stateShards.js';

const ACCOUNT_PROOF_VERSION = 1;

export interface AccountProof {
  shardBits: number;
  leafPath: MerkleProof;
  /** RLP of the account. */
  account: Uint8Array;
  shardPath: Uint8Array[];
}

export interface CreateAccountProofParameters {
  state: StateShards;
  address: Uint8Array;
}

/**
 * The proof of one account.
 * @throws DietcoinError INVALID_ACCOUNT when the account is not in the state.
 */
export function createAccountProof({ state, address }: CreateAccountProofParameters): AccountProof {
  const at = state.locate(address);
  if (!at) throw new DietcoinError('INVALID_ACCOUNT', `account ${bytesToHex(address)} is not in the state`);
  const leaf = state.leafProof(at.shard, at.index);
  return {
    shardBits: state.shardBits,
    leafPath: { index: at.index, count: leaf.count, siblings: leaf.siblings },
    account: leaf.account,
    shardPath: state.shardPath(at.shard),
  };
}

export function encodeAccountProof(p: AccountProof): Uint8Array {
  const w = new ByteWriter(16 + p.account.length + 32 * (p.leafPath.siblings.length + p.shardPath.length));
  w.u8(ACCOUNT_PROOF_VERSION).u8(p.shardBits);
  writeMerkleProof(w, p.leafPath);
  w.u8(p.account.length).bytes(p.account);
  for (const s of p.shardPath) w.bytes(s);
  return w.finish();
}

/**
 * Decodes an account proof strictly.
 * @throws DietcoinError UNKNOWN_VERSION, MALFORMED, TRUNCATED, OVERSIZED or TRAILING_BYTES.
 */
export function decodeAccountProof(bytes: Uint8Array): AccountProof {
  const r = new ByteReader(bytes, 'account proof');
  const version = r.u8();
  if (version !== ACCOUNT_PROOF_VERSION) {
    throw new DietcoinError('UNKNOWN_VERSION', `account proof version ${version} is unknown`);
  }
  const shardBits = r.u8();
  checkBound('account proof shardBits', shardBits, MAX_SHARD_BITS);
  const leafPath = readMerkleProof(r, 'account proof leaf path');
  const len = r.u8();
  checkBound('account proof account length', len, MAX_ACCOUNT_BYTES);
  const account = r.take(len);
  const shardPath: Uint8Array[] = [];
  for (let i = 0; i < shardBits; i++) shardPath.push(r.take(32));
  r.end();
  return { shardBits, leafPath, account, shardPath };
}

/** Root of the tree of shards implied by a shard digest and its path. */
export function shardPathRoot(
  digest: Uint8Array,
  shard: number,
  shardBits: number,
  path: readonly Uint8Array[],
): Uint8Array {
  return proofRoot(hashLeaf(digest), shard, 2 ** shardBits, path);
}

export interface VerifyAccountProofParameters {
  proof: AccountProof;
  address: Uint8Array;
  /** shardRoot of a header the light client accepted. */
  shardRoot: Uint8Array;
  blockNumber?: number;
}

/**
 * Checks an account proof against a header's shardRoot and returns the account.
 * @throws DietcoinError INVALID_ACCOUNT, INVALID_PROOF or WRONG_ROOT.
 */
export function verifyAccountProof(p: VerifyAccountProofParameters): Account {
  const { proof } = p;
  if (p.address.length !== 20) throw new DietcoinError('INVALID_ACCOUNT', 'address must be 20 bytes');
  const account = decodeAccount(proof.account);
  const addressHash = keccak256(p.address);
  const shard = shardOf(addressHash, proof.shardBits);
  const digest = proofRoot(
    hashLeaf(concatBytes(addressHash, proof.account)),
    proof.leafPath.index,
    proof.leafPath.count,
    proof.leafPath.siblings,
  );
  const root = shardPathRoot(digest, shard, proof.shardBits, proof.shardPath);
  if (!equal32(root, p.shardRoot)) {
    throw new DietcoinError(
      'WRONG_ROOT',
      `account proof of ${bytesToHex(p.address)}${p.blockNumber === undefined ? '' : ` in block ${p.blockNumber}`} does not match shardRoot ${shortHex(p.shardRoot)}`,
    );
  }
  return account;
}
