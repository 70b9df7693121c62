// Every Kesque table of the node, with its key and value. A retired table name is never reused.
//
//   meta        number  0 -> head block number (8 bytes); written last in every block batch
//                       1 -> chain id (8 bytes), written with genesis
//                       2 -> the state-shard snapshot (store/shardSnapshot.ts), replaced whole
//                       3 -> the validator schedule's checkpoint (consensus/scheduleFollower.ts), replaced whole
//   header      number  block number -> header RLP (exactly as hashed)
//   body        number  block number -> RLP [[serializedTx, sender(20)], ...]
//   receipts    number  block number -> RLP of the block's receipts (store/codec.ts)
//   seals       number  block number -> RLP [[validator(20), round, signature(65)], ...]
//   messages    number  block number -> RLP [[encodedMessage, txHash(32), logIndex], ...] (Outbox order)
//   stats       number  block number -> JSON of libs/execution's block stats
//   supply      number  block number -> RLP [supply, genesisSupply, minted, burned, feePool, bMinted, bBurned, bFees]
//   blockHash   hash    block hash -> block number (8 bytes big-endian)
//   txIndex     hash    tx hash -> RLP [blockNumber, transactionIndex]
//   logIndex    hash    keccak(address) or topic -> RLP [blockNumber, ...] of blocks with a matching log
//   trie        hash    keccak(node) -> trie node (world state and storage tries), and
//                       keccak(code) -> contract code (one key space, as libs/execution writes it)
//   preimage    hash    keccak(address) -> address (20): rebuilds the state shards from the trie
//   changes     number  block number -> RLP [address(20), ...]: the accounts the block applied to
//                       the state shards (their leaf order depends on history: see exec/stateShards.ts)
//   consensus   number  0 -> the validator's persisted round state (consensus/chainStore.ts), written
//                       before it signs anything in a round
//   evidence    number  sequence -> an equivocation (consensus/chainStore.ts), in arrival order

/** How a table is keyed (mirrors Kesque's `TableOptions`). */
export interface TableLayout {
  kind: 'hash' | 'number';
}

export const Tables = {
  meta: 'meta',
  header: 'header',
  body: 'body',
  receipts: 'receipts',
  seals: 'seals',
  messages: 'messages',
  stats: 'stats',
  supply: 'supply',
  blockHash: 'blockHash',
  txIndex: 'txIndex',
  logIndex: 'logIndex',
  trie: 'trie',
  preimage: 'preimage',
  changes: 'changes',
  consensus: 'consensus',
  evidence: 'evidence',
} as const;

export type TableName = (typeof Tables)[keyof typeof Tables];

/** The table layout passed to `openKesque`. */
export const CHAIN_TABLES: Record<TableName, TableLayout> = {
  meta: { kind: 'number' },
  header: { kind: 'number' },
  body: { kind: 'number' },
  receipts: { kind: 'number' },
  seals: { kind: 'number' },
  messages: { kind: 'number' },
  stats: { kind: 'number' },
  supply: { kind: 'number' },
  blockHash: { kind: 'hash' },
  txIndex: { kind: 'hash' },
  logIndex: { kind: 'hash' },
  trie: { kind: 'hash' },
  preimage: { kind: 'hash' },
  changes: { kind: 'number' },
  consensus: { kind: 'number' },
  evidence: { kind: 'number' },
};

/** Key of the head record in `meta`. */
export const HEAD_KEY = 0;
/** Key of the chain id in `meta`. */
export const CHAIN_ID_KEY = 1;
/** Key of the state-shard snapshot in `meta`. */
export const SHARD_SNAPSHOT_KEY = 2;
/** Key of the validator schedule's checkpoint in `meta`. */
export const SCHEDULE_CHECKPOINT_KEY = 3;
