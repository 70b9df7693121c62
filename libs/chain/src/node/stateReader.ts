// StateReader over the world state in Kesque: a state manager pinned to the block's state root per
// request. Every block's state is kept (trie nodes are never deleted): the node is an archive.
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
  blocks: BlockReader;
  db: OverlayStateDB;
  common: Common;
}

/** Creates the node's `StateReader`. */
export function createChainStateReader({ blocks, db, common }: ChainStateReaderOptions): StateReader & {
  stateAt(blockNumber: bigint): Promise<ReturnType<typeof createStateManagerAt>>;
} {
  // The state at a committed root never changes: the last few state managers are kept with
  // their account and storage caches, so that the pool's checks and repeated reads of the head
  // do not walk the trie from Kesque every time.
  const recent = new Map<string, ReturnType<typeof createStateManagerAt>>();
  async function stateAt(blockNumber: bigint) {
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
  return {
    stateAt,
    async getBalance(a, n) {
      return (await (await stateAt(n)).getAccount(address(a)))?.balance ?? 0n;
    },
    async getNonce(a, n) {
      return (await (await stateAt(n)).getAccount(address(a)))?.nonce ?? 0n;
    },
    async getCode(a, n) {
      return bytesToHex(await (await stateAt(n)).getCode(address(a))) as Hex;
    },
    async getStorageAt(a, slot, n) {
      const sm = await stateAt(n);
      const value = await sm.getStorage(address(a), setLengthLeft(hexToBytes(slot), 32));
      return bytesToHex(setLengthLeft(value, 32)) as Hash;
    },
    async getProof(a, slots, n): Promise<AccountProof> {
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
    },
  };
}
