// Accounts as Ethereum encodes them in its state trie: RLP([nonce, balance, storageRoot, codeHash]).
import { bigintToMinimalBytes } from '../encoding/bytes.js';
import { decodeRLP, encodeRLP, rlpFixed, rlpToBigint } from '../encoding/rlp.js';
import { DietcoinError } from '../errors.js';

export interface Account {
  nonce: bigint;
  balance: bigint;
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}

/** Largest account encoding: two 32-byte integers and two hashes with their prefixes. */
export const MAX_ACCOUNT_BYTES = 2 + 4 * 33;

export function encodeAccount(a: Account): Uint8Array {
  if (a.storageRoot.length !== 32 || a.codeHash.length !== 32) {
    throw new DietcoinError('INVALID_ACCOUNT', 'account storageRoot and codeHash must be 32 bytes');
  }
  if (a.nonce < 0n || a.nonce >= 1n << 64n || a.balance < 0n || a.balance >= 1n << 256n) {
    throw new DietcoinError('INVALID_ACCOUNT', 'account nonce or balance out of range');
  }
  return encodeRLP([
    bigintToMinimalBytes(a.nonce),
    bigintToMinimalBytes(a.balance),
    a.storageRoot,
    a.codeHash,
  ]);
}

/**
 * Decodes an account strictly.
 * @throws DietcoinError MALFORMED, TRUNCATED, TRAILING_BYTES, NON_CANONICAL or OVERSIZED.
 */
export function decodeAccount(bytes: Uint8Array): Account {
  if (bytes.length > MAX_ACCOUNT_BYTES)
    throw new DietcoinError('OVERSIZED', `account of ${bytes.length} bytes`);
  const item = decodeRLP(bytes, 'account');
  if (!Array.isArray(item) || item.length !== 4)
    throw new DietcoinError('MALFORMED', 'account must be a list of 4');
  return {
    nonce: rlpToBigint(item[0]!, 'account nonce', 8),
    balance: rlpToBigint(item[1]!, 'account balance'),
    storageRoot: rlpFixed(item[2], 32, 'account storageRoot'),
    codeHash: rlpFixed(item[3], 32, 'account codeHash'),
  };
}
