// The block's state root: flushes the state manager's caches (code, storage, accounts) the way
// MerkleStateManager.flush does, but applies each trie's changes in one batched update
// (trieBatch.ts) instead of key by key. The new nodes go to the StateDB's pending writes, which
// the block commits in one store write.

import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import type { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import {
  Account,
  bytesToUnprefixedHex,
  createAccountFromRLP,
  createAddressFromString,
  equalsBytes,
  KECCAK256_RLP,
  unprefixedHexToBytes,
} from '@ethereumjs/util';
import { AccountElement } from './accountCache.js';
import { localTrieHasher, type TrieHasher } from './parallelRoot.js';
import type { StateDB } from './state.js';
import { keyToNibbles, sortChanges, type TrieChange } from './trieBatch.js';
import type { AccountState } from './types.js';

/** The MerkleStateManager internals the flush replaces (protected in its typings; 10.1.x). */
interface StateManagerInternals {
  _caches?: Caches;
  _trie: MerklePatriciaTrie;
  _storageTries: Record<string, MerklePatriciaTrie>;
}

/**
 * Computes the state root after the changes cached in `sm`, writing the new trie nodes (and new
 * code) to `db`'s pending writes and moving the state manager's trie to the new root. `hasher`
 * updates each trie (default: on this thread). `written` receives the final state of every
 * account the flush wrote (0x hex address; undefined: deleted).
 * @throws MissingTrieNodeError when a node of the parent state is not in the store.
 */
export async function computeStateRoot(
  sm: MerkleStateManager,
  db: StateDB,
  keccak256: (data: Uint8Array) => Uint8Array,
  hasher?: TrieHasher,
  written?: Map<string, AccountState | undefined>,
): Promise<Uint8Array> {
  const inner = sm as unknown as StateManagerInternals;
  const caches = inner._caches;
  if (caches === undefined) return sm.getStateRoot();
  const hash = hasher ?? localTrieHasher((h) => db.node(h), keccak256, KECCAK256_RLP);

  for (const [addressHex, element] of caches.code?.flush() ?? []) {
    const code = element.code;
    if (code === undefined) continue;
    const codeHash = keccak256(code);
    db.putSync(codeHash, code);
    const address = createAddressFromString(`0x${addressHex}`);
    if ((await sm.getAccount(address)) === undefined) await sm.putAccount(address, new Account());
    await sm.modifyAccountFields(address, { codeHash });
  }

  const slotsByAccount = new Map<string, TrieChange[]>();
  for (const [addressHex, keyHex, value] of caches.storage?.flush() ?? []) {
    const decoded = RLP.decode(value ?? EMPTY) as Uint8Array;
    let changes = slotsByAccount.get(addressHex);
    if (changes === undefined) {
      changes = [];
      slotsByAccount.set(addressHex, changes);
    }
    changes.push({
      nibbles: keyToNibbles(keccak256(unprefixedHexToBytes(keyHex))),
      value: decoded.length > 0 ? RLP.encode(decoded) : undefined,
    });
  }
  for (const [addressHex, changes] of slotsByAccount) {
    const address = createAddressFromString(`0x${addressHex}`);
    const account = await sm.getAccount(address);
    if (account === undefined) continue;
    const before = equalsBytes(account.storageRoot, KECCAK256_RLP) ? undefined : account.storageRoot;
    const { root, entries } = await hash(before, sortChanges(changes));
    for (const [key, value] of entries) db.putSync(key, value);
    account.storageRoot = root;
    await sm.putAccount(address, account);
    // The state manager's own storage trie of this account still has the old root.
    delete inner._storageTries[bytesToUnprefixedHex(keccak256(address.bytes))];
  }

  const accounts: TrieChange[] = [];
  for (const [addressHex, element] of caches.account?.flush() ?? []) {
    written?.set(`0x${addressHex}`, accountStateOf(element));
    accounts.push({
      nibbles: keyToNibbles(keccak256(unprefixedHexToBytes(addressHex))),
      value: element.accountRLP,
    });
  }
  const trie = inner._trie;
  const parent = trie.root();
  if (accounts.length === 0) return parent;
  const before = equalsBytes(parent, trie.EMPTY_TRIE_ROOT) ? undefined : parent;
  const { root, entries } = await hash(before, sortChanges(accounts));
  for (const [key, value] of entries) db.putSync(key, value);
  trie.root(root);
  return root;
}

const EMPTY = new Uint8Array(0);

/** The fields of a flushed account cache element (decoded already when it is ours). */
function accountStateOf(element: { accountRLP: Uint8Array | undefined }): AccountState | undefined {
  if (element instanceof AccountElement) {
    const { nonce, balance, storageRoot, codeHash } = element;
    return { nonce, balance, storageRoot, codeHash };
  }
  if (element.accountRLP === undefined) return undefined;
  const { nonce, balance, storageRoot, codeHash } = createAccountFromRLP(element.accountRLP);
  return { nonce, balance, storageRoot, codeHash };
}
