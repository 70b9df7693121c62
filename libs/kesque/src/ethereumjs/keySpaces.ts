// Key spaces @ethereumjs hands to a `DB`, and the Kesque table each one lands in. Kesque hash
// tables take 32-byte keys only; rather than bend that rule, every shape the state manager and the
// trie use is mapped onto a 32-byte key in a table of its own, and any other shape is refused.
//
//   table  key (what ethereumjs passes)               -> value
//   trie   32 bytes: keccak of a trie node             -> the node's RLP
//          32 bytes: keccak('__root__') (root persistence with key hashing) -> the trie root
//          32 bytes: a code hash (state manager with prefixCodeHashes: false) -> contract code
//   code   33 bytes: 0x63 ('c', CODEHASH_PREFIX) || code hash, stored under the code hash
//                                                  -> contract code
//
// Refused (KesqueError KEY_SIZE): the raw '__root__' key of root persistence without key hashing,
// and the 39-byte keys of `prefixStorageTrieKeys` (7-byte address prefix + node hash).
import type { TableOptions } from '../types.js';

/** Byte the state manager puts before a code hash (`CODEHASH_PREFIX`, utf8 'c'). */
export const CODE_KEY_PREFIX = 0x63;
export const HASH_KEY_BYTES = 32;
export const CODE_KEY_BYTES = HASH_KEY_BYTES + 1;

/** Names of the Kesque tables the adapter uses. */
export interface KesqueDBTables {
  /** Trie nodes (and anything else keyed by a bare 32-byte hash). */
  trie: string;
  /** Contract code, keyed by its hash (the state manager's 33-byte prefixed key, prefix dropped). */
  code: string;
}

export const DEFAULT_KESQUE_DB_TABLES: Readonly<KesqueDBTables> = { trie: 'trie', code: 'code' };

/** Table declarations to pass to `openKesque` for a store the adapter will use. */
export function kesqueDBTableOptions(
  tables: KesqueDBTables = DEFAULT_KESQUE_DB_TABLES,
): Record<string, TableOptions> {
  return { [tables.trie]: { kind: 'hash' }, [tables.code]: { kind: 'hash' } };
}
