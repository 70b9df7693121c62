// StateReader over the world state in Kesque: a state manager pinned to the block's state root per
// request. Only the states the node keeps are answered (store/statePruner.ts): a block older than
// `oldestState()` is `StateUnavailableError`, checked before any read, so that a pruned state never
// answers from a cache nor half-answers from the nodes that happen to remain.
import type { Common } from '@ethereumjs/common';
import { getMerkleStateProof } from '@ethereumjs/statemanager';
import { Address, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { createStateManagerAt } from '../exec/state.js';
import type {
  AccountProof,
  Address as AddressHex,
  BlockReader,
  Hash,
  Hex,
  StateReader,
} from '../rpc/backend.js';
import { StateUnavailableError } from '../rpc/backend.js';
import type { OverlayStateDB } from '../store/stateDB.js';

export interface ChainStateReaderOptions {
  blocks: Pick<BlockReader, 'getHeaderByNumber'>;
  db: OverlayStateDB;
  common: Common;
  /** The oldest block whose state is kept (default 0: an archive). */
  oldestState?: () => bigint;
}

/** A trie read that found a node missing: the state was pruned under the reader. */
export function isMissingNodeError(error: unknown): boolean {
  return error instanceof Error && /missing (trie )?node/i.test(error.message);
}

/** Runs `read`, turning a missing trie node into `StateUnavailableError` for `blockNumber`. */
export async function readKeptState<T>(blockNumber: bigint, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMissingNodeError(error)) throw new StateUnavailableError(blockNumber, { cause: error });
    throw error;
  }
}

/** Creates the node's `StateReader`. */
export function createChainStateReader({
  blocks,
  db,
  common,
  oldestState = () => 0n,
}: ChainStateReaderOptions): StateReader & {
  stateAt(blockNumber: bigint): Promise<ReturnType<typeof createStateManagerAt>>;
} {
  // The state at a committed root never changes: the last few state managers are kept with
  // their account and storage caches, so that the pool's checks and repeated reads of the head
  // do not walk the trie from Kesque every time.
  const recent = new Map<string, ReturnType<typeof createStateManagerAt>>();
  async function stateAt(blockNumber: bigint) {
    if (blockNumber < oldestState()) throw new StateUnavailableError(blockNumber);
    const header = await blocks.getHeaderByNumber(blockNumber);
    if (!header) throw new StateUnavailableError(blockNumber);
    const cached = recent.get(header.stateRoot);
    if (cached) return cached;
    const sm = createStateManagerAt(db, hexToBytes(header.stateRoot), common, { cached: true });
    recent.set(header.stateRoot, sm);
    if (recent.size > 4) {
      const oldest = recent.keys().next();
      if (!oldest.done) recent.delete(oldest.value);
    }
    return sm;
  }
  const address = (a: AddressHex) => new Address(hexToBytes(a));
  async function proofAt(a: AddressHex, slots: Hash[], n: bigint): Promise<AccountProof> {
    if (n < oldestState()) throw new StateUnavailableError(n);
    // A fresh state manager pinned to the block's root: getProof flushes it, and it has
    // nothing of the live state to flush.
    const header = await blocks.getHeaderByNumber(n);
    if (!header) throw new StateUnavailableError(n);
    const sm = createStateManagerAt(db, hexToBytes(header.stateRoot), common);
    const proof = await getMerkleStateProof(
      sm,
      address(a),
      slots.map((s) => setLengthLeft(hexToBytes(s), 32)),
    );
    return {
      address: a,
      accountProof: proof.accountProof as Hex[],
      balance: BigInt(proof.balance),
      codeHash: proof.codeHash as Hash,
      nonce: BigInt(proof.nonce),
      storageHash: proof.storageHash as Hash,
      storageProof: proof.storageProof.map((sp, i) => ({
        key: bytesToHex(setLengthLeft(hexToBytes(slots[i] as Hex), 32)) as Hash,
        value: BigInt(sp.value),
        proof: sp.proof as Hex[],
      })),
    };
  }
  return {
    stateAt,
    getBalance: (a, n) =>
      readKeptState(n, async () => (await (await stateAt(n)).getAccount(address(a)))?.balance ?? 0n),
    getNonce: (a, n) =>
      readKeptState(n, async () => (await (await stateAt(n)).getAccount(address(a)))?.nonce ?? 0n),
    getCode: (a, n) =>
      readKeptState(n, async () => bytesToHex(await (await stateAt(n)).getCode(address(a))) as Hex),
    getStorageAt: (a, slot, n) =>
      readKeptState(n, async () => {
        const sm = await stateAt(n);
        const value = await sm.getStorage(address(a), setLengthLeft(hexToBytes(slot), 32));
        return bytesToHex(setLengthLeft(value, 32)) as Hash;
      }),
    getProof: (a, slots, n) => readKeptState(n, () => proofAt(a, slots, n)),
  };
}
