// Serial block execution over @ethereumjs/vm: every transaction in order on the parent state, the
// base fee credited to the fee pool at the end. The node's reference executor: libs/execution's
// parallel executor must produce the same roots.

import { createBlockHeader, genTransactionsTrieRoot } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address } from '@ethereumjs/util';
import { createVM, encodeReceipt, runTx } from '@ethereumjs/vm';
import { ChainError } from '../errors.js';
import type { StoredReceipt } from '../store/codec.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { khipuPrecompiles } from './precompiles.js';
import { createStateManagerAt } from './state.js';
import type { BlockExecutor, ExecuteBlockInput, ExecuteBlockOutput, PendingTransaction } from './types.js';

export interface SerialExecutorOptions {
  common: Common;
  db: OverlayStateDB;
  /** The fee pool system account (20 bytes). */
  feePool: Uint8Array;
  /** Hash of a past block for BLOCKHASH (the last 256). */
  blockHash(number: bigint): Uint8Array | undefined;
}

/** Makes the BLOCKHASH source the EVM asks for. */
export function createBlockHashSource(
  blockHash: (n: bigint) => Uint8Array | undefined,
): EVMMockBlockchainInterface {
  const source: EVMMockBlockchainInterface = {
    async getBlock(n: number) {
      const hash = blockHash(BigInt(n)) ?? new Uint8Array(32);
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy: () => source,
  };
  return source;
}

function bloomOr(into: Uint8Array, from: Uint8Array): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) | (from[i] ?? 0);
}

/** Effective gas price of a transaction in a block with `baseFee`. */
export function effectiveGasPrice(tx: PendingTransaction['tx'], baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx && 'maxPriorityFeePerGas' in tx) {
    const max = tx.maxFeePerGas as bigint;
    const tip = tx.maxPriorityFeePerGas as bigint;
    return max < baseFee + tip ? max : baseFee + tip;
  }
  return (tx as unknown as { gasPrice: bigint }).gasPrice;
}

type Writable = Pick<
  MerkleStateManager,
  'putAccount' | 'deleteAccount' | 'modifyAccountFields' | 'putStorage' | 'clearStorage' | 'putCode'
>;

/** Records every address the state manager writes (reverted writes included: a superset is fine,
 *  the shards read back the final state of each). */
function trackWrites(sm: MerkleStateManager): Map<string, Uint8Array> {
  const touched = new Map<string, Uint8Array>();
  const w = sm as unknown as Record<keyof Writable, (address: Address, ...rest: unknown[]) => Promise<void>>;
  for (const name of [
    'putAccount',
    'deleteAccount',
    'modifyAccountFields',
    'putStorage',
    'clearStorage',
    'putCode',
  ] as const) {
    const original = w[name].bind(sm);
    w[name] = (address: Address, ...rest: unknown[]) => {
      touched.set(address.toString(), address.bytes);
      return original(address, ...rest);
    };
  }
  return touched;
}

/** The serial executor. */
export function createSerialExecutor(options: SerialExecutorOptions): BlockExecutor {
  const { common, db, feePool } = options;
  const blockchain = createBlockHashSource(options.blockHash);
  return {
    async execute(input: ExecuteBlockInput): Promise<ExecuteBlockOutput> {
      const started = performance.now();
      const { context } = input;
      const stateManager = createStateManagerAt(db, input.parentStateRoot, common);
      const touched = trackWrites(stateManager);
      const vm = await createVM({
        common,
        stateManager,
        blockchain,
        evmOpts: { customPrecompiles: khipuPrecompiles() },
      });
      const header = createBlockHeader(
        {
          number: context.number,
          parentHash: context.parentHash,
          timestamp: context.timestamp,
          coinbase: context.coinbase,
          gasLimit: context.gasLimit,
          baseFeePerGas: context.baseFeePerGas,
          mixHash: context.mixHash,
        },
        { common, skipConsensusFormatValidation: true },
      );
      const block = { header };
      const included: PendingTransaction[] = [];
      const receipts: StoredReceipt[] = [];
      const encodedReceipts: Uint8Array[] = [];
      const skipped: ExecuteBlockOutput['skipped'] = [];
      const logsBloom = new Uint8Array(256);
      let gasUsed = 0n;
      await stateManager.checkpoint();
      for (const t of input.transactions) {
        if (gasUsed + t.tx.gasLimit > context.gasLimit) {
          if (input.mode === 'import') {
            throw new ChainError('INVALID_BLOCK', `block ${context.number} exceeds its gas limit`);
          }
          skipped.push({ transaction: t, reason: 'block gas limit reached' });
          continue;
        }
        await stateManager.checkpoint();
        let result: Awaited<ReturnType<typeof runTx>>;
        try {
          // runTx types `block` as a full Block; the header is all it reads.
          result = await runTx(vm, {
            tx: t.tx,
            block: block as never,
            blockGasUsed: gasUsed,
            skipHardForkValidation: true,
          });
          await stateManager.commit();
        } catch (cause) {
          await stateManager.revert();
          const reason = cause instanceof Error ? cause.message : String(cause);
          if (input.mode === 'import') {
            throw new ChainError(
              'INVALID_BLOCK',
              `block ${context.number}: transaction ${included.length} is invalid: ${reason}`,
              {
                cause,
              },
            );
          }
          skipped.push({ transaction: t, reason });
          continue;
        }
        const txGas = result.blockGasSpent ?? result.totalGasSpent;
        gasUsed += txGas;
        const status = 'status' in result.receipt ? result.receipt.status : 1;
        bloomOr(logsBloom, result.bloom.bitvector);
        receipts.push({
          status,
          cumulativeGasUsed: gasUsed,
          gasUsed: result.totalGasSpent,
          effectiveGasPrice: effectiveGasPrice(t.tx, context.baseFeePerGas),
          contractAddress: result.createdAddress?.bytes ?? new Uint8Array(0),
          logs: (result.execResult.logs ?? []).map(([a, topics, d]) => [a, topics, d]),
          logsBloom: result.bloom.bitvector,
        });
        encodedReceipts.push(
          encodeReceipt({ ...result.receipt, cumulativeBlockGasUsed: gasUsed }, t.tx.type),
        );
        included.push(t);
      }
      // The base fee is not burned: it goes to the fee pool (DESIGN.md "Messages and KIP").
      const feesToPool = context.baseFeePerGas * gasUsed;
      if (feesToPool > 0n) {
        const address = new Address(feePool);
        const account = (await stateManager.getAccount(address)) ?? new Account();
        account.balance += feesToPool;
        await stateManager.putAccount(address, account);
      }
      if (gasUsed > 0n) touched.set(new Address(feePool).toString(), feePool);
      await stateManager.commit();
      const stateRoot = await stateManager.getStateRoot();
      const receiptTrie = new MerklePatriciaTrie({ common });
      for (let i = 0; i < encodedReceipts.length; i++) {
        await receiptTrie.put(RLP.encode(i), encodedReceipts[i] as Uint8Array);
      }
      const transactionsRoot = await genTransactionsTrieRoot(included.map((t) => t.tx));
      return {
        included,
        receipts,
        skipped,
        stateRoot,
        transactionsRoot,
        receiptsRoot: receiptTrie.root(),
        logsBloom,
        gasUsed,
        feesToPool,
        touched: [...touched.values()],
        stats: {
          blockNumber: context.number,
          transactions: included.length,
          gasUsed,
          executionSeconds: (performance.now() - started) / 1000,
          parallelism: 1,
          reRuns: 0,
          fallbacks: 0,
        },
      };
    },
  };
}
