// The reference: stock @ethereumjs/vm `runBlock`, set up as its README shows (createVM with a
// default MerkleStateManager, no caches, default crypto), over the same store. The only changes:
// the state manager reads code under bare hashes like ours (prefixCodeHashes: false), and the fee
// pool is credited `baseFee × gasUsed` after runBlock, as our chain's rules require.
import { type Block, createBlockFromRLP } from '@ethereumjs/block';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, ValueEncoding } from '@ethereumjs/util';
import { createVM, encodeReceipt, runBlock } from '@ethereumjs/vm';
import { createExecutionCommon, feePoolAddress } from '../common.js';
import { StateDB } from '../state.js';
import type { BlockHashSource, StateStore } from '../types.js';

export interface StockResult {
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  gasUsed: bigint;
  /** Each receipt encoded as in the receipt trie. */
  receipts: Uint8Array[];
  /** Trie writes of the block, committed to the store when asked. */
  db: StateDB;
  /** The state after the block. */
  stateManager: MerkleStateManager;
}

/** Runs `rlp` with stock runBlock from `parentStateRoot`; commits to the store when `commit`. */
export async function runStockBlock(p: {
  store: StateStore;
  chainId: number;
  rlp: Uint8Array;
  parentStateRoot: Uint8Array;
  commit?: boolean;
  /** Hashes BLOCKHASH reads (a chain of those blocks); the EVM's mock (zero hashes) when absent. */
  blockHashes?: BlockHashSource;
}): Promise<StockResult> {
  const common = createExecutionCommon({ chainId: p.chainId, shareParams: false, fastLookups: false });
  const db = new StateDB(p.store);
  const trie = new MerklePatriciaTrie({
    db,
    useKeyHashing: true,
    valueEncoding: ValueEncoding.Bytes,
    common,
  });
  const stateManager = new MerkleStateManager({ common, trie, prefixCodeHashes: false });
  const source = p.blockHashes;
  const blockchain: EVMMockBlockchainInterface | undefined =
    source === undefined
      ? undefined
      : {
          async getBlock(n: number) {
            const hash = source.blockHash(BigInt(n));
            if (hash === undefined) throw new Error(`test chain has no block ${n}`);
            return { hash: () => hash };
          },
          async putBlock() {},
          shallowCopy() {
            return this;
          },
        };
  const vm = await createVM({ common, stateManager, blockchain });
  const block: Block = createBlockFromRLP(p.rlp, { common });
  const result = await runBlock(vm, {
    block,
    root: p.parentStateRoot,
    generate: true,
    skipHeaderValidation: true,
  });
  const fee = (block.header.baseFeePerGas ?? 0n) * result.gasUsed;
  if (fee > 0n) {
    const pool = feePoolAddress();
    const account = (await stateManager.getAccount(pool)) ?? new Account();
    account.balance += fee;
    await stateManager.putAccount(pool, account);
  }
  const stateRoot = await stateManager.getStateRoot();
  if (p.commit === true) await p.store.write(db.takePending());
  return {
    stateRoot,
    receiptsRoot: result.receiptsRoot,
    logsBloom: result.logsBloom,
    gasUsed: result.gasUsed,
    receipts: result.receipts.map((r, i) => encodeReceipt(r, block.transactions[i]?.type ?? 0)),
    db,
    stateManager,
  };
}
