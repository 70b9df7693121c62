// World state access over the overlay state DB: one MerkleStateManager per use, pinned to a root.
import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import type { OverlayStateDB } from '../store/stateDB.js';

/**
 * A state manager at `root` over `db`. Tries hash their keys (Ethereum's secure trie) and read
 * values as bytes; code is keyed by its bare hash (libs/execution's layout, see store/stateDB.ts).
 */
export function createStateManagerAt(
  db: OverlayStateDB,
  root: Uint8Array,
  common: Common,
): MerkleStateManager {
  const trie = new MerklePatriciaTrie({
    db,
    root,
    useKeyHashing: true,
    valueEncoding: 'view',
    common,
  });
  return new MerkleStateManager({ trie, common, prefixCodeHashes: false });
}
