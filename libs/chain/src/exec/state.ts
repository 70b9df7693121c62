// World state access over the overlay state DB: one MerkleStateManager per use, pinned to a root.
import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import type { OverlayStateDB } from '../store/stateDB.js';

/**
 * A state manager at `root` over `db`. Tries hash their keys (Ethereum's secure trie) and read
 * values as bytes; code is keyed by its bare hash (libs/execution's layout, see store/stateDB.ts).
 */
export function createStateManagerAt(
  db: OverlayStateDB,
  root: Uint8Array,
  common: Common,
  options: { cached?: boolean } = {},
): MerkleStateManager {
  const trie = new MerklePatriciaTrie({
    db,
    root,
    useKeyHashing: true,
    valueEncoding: 'view',
    common,
  });
  // Read-only views may cache accounts, storage and code: a committed root never changes.
  const caches = options.cached
    ? new Caches({ account: { size: 50_000 }, storage: { size: 50_000 }, code: { size: 1_000 } })
    : undefined;
  return new MerkleStateManager({ trie, common, prefixCodeHashes: false, ...(caches ? { caches } : {}) });
}
