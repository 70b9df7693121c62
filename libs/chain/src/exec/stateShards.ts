// The state shards of libs/dietcoin kept in step with the world state: after each block the
// accounts it changed are read back from the trie and applied, giving the header's shardRoot. On
// start the shards are rebuilt from the trie at the head's root, with addresses from the preimage
// table (the trie is keyed by keccak(address); dietcoin's shards hash addresses themselves).
import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { Address } from '@ethereumjs/util';
import { type AccountChange, decodeAccount, StateShards } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import { keccak256 } from '../store/hash.js';
import type { KVOp, KVReader } from '../store/kv.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { Tables } from '../store/tables.js';

/** The account changes of a block: the final state of each touched address (undefined if gone). */
export async function readAccountChanges(
  stateManager: MerkleStateManager,
  touched: Iterable<Uint8Array>,
): Promise<AccountChange[]> {
  const changes: AccountChange[] = [];
  for (const address of touched) {
    const account = await stateManager.getAccount(new Address(address));
    changes.push({
      address,
      account: account
        ? {
            nonce: account.nonce,
            balance: account.balance,
            storageRoot: account.storageRoot,
            codeHash: account.codeHash,
          }
        : undefined,
    });
  }
  return changes;
}

/** Preimage ops for addresses the store has not seen yet. */
export function preimageOps(kv: KVReader, addresses: Iterable<Uint8Array>): KVOp[] {
  const ops: KVOp[] = [];
  const seen = new Set<string>();
  for (const a of addresses) {
    const h = keccak256(a);
    const k = Buffer.from(h).toString('hex');
    if (seen.has(k)) continue;
    seen.add(k);
    if (kv.get(Tables.preimage, h) === undefined)
      ops.push({ type: 'put', table: Tables.preimage, key: h, value: a });
  }
  return ops;
}

function nibblesToBytes(nibbles: number[]): Uint8Array {
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = ((nibbles[2 * i] ?? 0) << 4) | (nibbles[2 * i + 1] ?? 0);
  return out;
}

/**
 * Builds the state shards of the world state at `root` by walking every account leaf.
 * @throws ChainError CORRUPT_STORE when an account has no address preimage.
 */
export async function buildStateShardsAt(options: {
  db: OverlayStateDB;
  kv: KVReader;
  root: Uint8Array;
  shardBits: number;
  common: Common;
}): Promise<StateShards> {
  const shards = new StateShards({ shardBits: options.shardBits });
  const trie = new MerklePatriciaTrie({
    db: options.db,
    root: options.root,
    valueEncoding: 'view',
    common: options.common,
  });
  const changes: AccountChange[] = [];
  await trie.walkAllValueNodes(async (node, key) => {
    const leaf = node as unknown as { key(): number[]; value(): Uint8Array | null };
    const hashed = nibblesToBytes([...key, ...leaf.key()]);
    const address = options.kv.get(Tables.preimage, hashed);
    if (!address) {
      throw new ChainError(
        'CORRUPT_STORE',
        `account 0x${Buffer.from(hashed).toString('hex')} has no address preimage`,
      );
    }
    const value = leaf.value();
    if (value) changes.push({ address, account: decodeAccount(value) });
  });
  shards.update(changes);
  return shards;
}
