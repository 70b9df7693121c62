// The state shards of libs/dietcoin kept in step with the world state: after each block the
// accounts it changed are read back from the trie and applied, giving the header's shardRoot.
//
// Leaves keep the position they were created at (dietcoin appends new accounts and swap-removes
// deleted ones), so the shards are a function of the block history, not of the state alone. They
// are rebuilt by replay: the genesis state (read from the trie at the genesis root, addresses from
// the preimage table) and then, block by block, the accounts each block applied (`changes`
// table), read at that block's state root. A snapshot (store/shardSnapshot.ts) bounds the replay
// to the blocks after it, which is also what lets older states be pruned.
import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util';
import {
  type AccountChange,
  decodeAccount,
  decodeHeader as decodeKhipuHeader,
  keccak256,
  StateShards,
} from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { HeaderData } from '../rpc/backend.js';
import type { KVOp, KVReader } from '../store/kv.js';
import { readShardSnapshot } from '../store/shardSnapshot.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { Tables } from '../store/tables.js';
import { readAccountsAt } from './accountReader.js';

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

/** The `changes` ops of block `number`: the addresses it applied to the shards (none for a block
 *  that changed nothing). */
export function changesOp(number: bigint, touched: readonly Uint8Array[]): KVOp[] {
  if (touched.length === 0) return [];
  return [{ type: 'put', table: Tables.changes, key: Number(number), value: RLP.encode([...touched]) }];
}

interface ReplayOptions {
  db: OverlayStateDB;
  kv: KVReader;
  blocks: { getHeaderByNumber(n: bigint): HeaderData | null; getHeaderRLP(n: bigint): Uint8Array | null };
  upTo: bigint;
  shardBits: number;
  common: Common;
}

/** The state shards at the end of block `upTo` and how they were made: from the snapshot of block
 *  `from` (`-1n`: no snapshot, built from the genesis state) plus the `replayedBlocks` after it. */
export interface RestoredStateShards {
  shards: StateShards;
  from: bigint;
  replayedBlocks: number;
}

/**
 * The state shards at the end of block `upTo`: from the stored snapshot when there is a usable one
 * (at or below `upTo`, its root equal to its block's shardRoot), else from the genesis state; then
 * each later block's changes, read at that block's state root (so those states must be kept).
 * @throws ChainError CORRUPT_STORE when a header, a preimage, a change list or a state needed for
 *   the replay is missing, or when the result differs from the shardRoot block `upTo` committed to.
 */
export async function restoreStateShards(options: ReplayOptions): Promise<RestoredStateShards> {
  let start: { shards: StateShards; from: bigint; snapshot: boolean } | undefined;
  try {
    const snapshot = readShardSnapshot(options.kv, options.shardBits);
    if (snapshot && snapshot.blockNumber <= options.upTo) {
      const want = shardRootOf(options.blocks, snapshot.blockNumber);
      if (want && equalBytes(want, snapshot.shards.root)) {
        start = { shards: snapshot.shards, from: snapshot.blockNumber, snapshot: true };
      }
    }
  } catch {
    // An unreadable snapshot is only a lost shortcut: the replay from genesis below is the truth.
  }
  start ??= {
    shards: await buildStateShardsAt({ ...options, root: stateRootOf(options.blocks, 0n) }),
    from: 0n,
    snapshot: false,
  };
  const { shards } = start;
  let replayedBlocks = 0;
  for (let n = start.from + 1n; n <= options.upTo; n++) {
    replayedBlocks++;
    const list = options.kv.get(Tables.changes, Number(n));
    if (!list) continue;
    const addresses = RLP.decode(list) as Uint8Array[];
    if (addresses.length === 0) continue;
    try {
      shards.update(await readAccountsAt(options.db, stateRootOf(options.blocks, n), addresses));
    } catch (cause) {
      throw new ChainError(
        'CORRUPT_STORE',
        `the state shards cannot be replayed: the state of block ${n} is missing (pruned without a snapshot?)`,
        { cause },
      );
    }
  }
  const want = shardRootOf(options.blocks, options.upTo);
  if (want && !equalBytes(want, shards.root)) {
    throw new ChainError(
      'CORRUPT_STORE',
      `state shards replayed to block ${options.upTo} give root ${bytesToHex(shards.root)}, the header has ${bytesToHex(want)}`,
    );
  }
  return { shards, from: start.snapshot ? start.from : -1n, replayedBlocks };
}

/** The state shards at the end of block `upTo` (see {@link restoreStateShards}). */
export async function replayStateShards(options: ReplayOptions): Promise<StateShards> {
  return (await restoreStateShards(options)).shards;
}

function stateRootOf(blocks: ReplayOptions['blocks'], n: bigint): Uint8Array {
  const h = blocks.getHeaderByNumber(n);
  if (!h) throw new ChainError('CORRUPT_STORE', `block ${n} has no header`);
  return hexToBytes(h.stateRoot);
}

function shardRootOf(blocks: ReplayOptions['blocks'], n: bigint): Uint8Array | undefined {
  const rlp = blocks.getHeaderRLP(n);
  return rlp ? decodeKhipuHeader(rlp).header.extra.shardRoot : undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
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
