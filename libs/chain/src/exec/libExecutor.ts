// BlockExecutor over libs/execution: buildBlock for the producer (fee/nonce order, refused
// transactions left out, lanes), executeBlock for imported blocks; serial or parallel.
import { Block, createBlockHeader } from '@ethereumjs/block';
import type { TypedTransaction } from '@ethereumjs/tx';
import { Address, bigIntToUnpaddedBytes, bytesToHex, generateAddress, hexToBytes } from '@ethereumjs/util';
import type { PostByzantiumTxReceipt, TxReceipt } from '@ethereumjs/vm';
import { keccak256 } from '@khipu/dietcoin';
import {
  type BlockStats,
  buildBlock,
  type ExecutionMode,
  type Executor,
  executeBlock,
  FEE_POOL_ADDRESS,
  orderedTrieRoot,
} from '@khipu/execution';
import { ChainError } from '../errors.js';
import type { BlockStatsData } from '../rpc/backend.js';
import type { StoredReceipt } from '../store/codec.js';
import type { BlockExecutor, ExecuteBlockInput, ExecuteBlockOutput, PendingTransaction } from './types.js';

const EMPTY_TRIE_ROOT = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

function statsOf(number: bigint, s: BlockStats): BlockStatsData {
  return {
    blockNumber: number,
    transactions: s.transactions,
    gasUsed: s.gasUsed,
    executionSeconds: s.phases.total / 1000,
    parallelism: s.parallelism,
    reRuns: s.reruns,
    fallbacks: s.fallback ? 1 : 0,
    lanes: s.lanes,
  };
}

function receiptsOf(
  receipts: readonly TxReceipt[],
  txs: readonly PendingTransaction[],
  baseFee: bigint,
): StoredReceipt[] {
  let previous = 0n;
  return receipts.map((r, i) => {
    const t = txs[i] as PendingTransaction;
    const status = (r as PostByzantiumTxReceipt).status ?? 1;
    const gasUsed = r.cumulativeBlockGasUsed - previous;
    previous = r.cumulativeBlockGasUsed;
    const created =
      t.tx.to === undefined && status === 1
        ? generateAddress(t.sender, bigIntToUnpaddedBytes(t.tx.nonce))
        : new Uint8Array(0);
    return {
      status,
      cumulativeGasUsed: r.cumulativeBlockGasUsed,
      gasUsed,
      effectiveGasPrice: effectiveGasPriceOf(t.tx, baseFee),
      contractAddress: created,
      logs: r.logs.map(([a, topics, d]) => [a, topics, d]),
      logsBloom: r.bitvector,
    };
  });
}

/** The accounts a block changed: execution's list, plus the coinbase and the fee pool when the
 *  block paid fees (an empty block changes nothing, and replays skip it). */
function touchedOf(accounts: readonly string[], gasUsed: bigint, coinbase: Uint8Array): Set<string> {
  const touched = new Set(accounts.map((a) => a.toLowerCase()));
  if (gasUsed > 0n) {
    touched.add(bytesToHex(coinbase));
    touched.add(FEE_POOL_ADDRESS);
  }
  return touched;
}

/** A BlockExecutor running through `executor` (see libs/execution's createExecutor). */
export function createLibraryExecutor(executor: Executor, mode: ExecutionMode): BlockExecutor {
  const common = executor.common;
  return {
    async execute(input: ExecuteBlockInput): Promise<ExecuteBlockOutput> {
      const { context } = input;
      // Matched by hash: libs/execution hands back copies of the transaction objects.
      const byHash = new Map<string, PendingTransaction>();
      for (const t of input.transactions) byHash.set(bytesToHex(t.hash), t);
      // Skipped ones are the objects given; included ones are copies, whose hash() buildBlock set
      // from the pool's (no second serialization).
      const byObject = new Map<TypedTransaction, PendingTransaction>();
      for (const t of input.transactions) byObject.set(t.tx, t);
      const find = (tx: TypedTransaction) => byObject.get(tx) ?? byHash.get(bytesToHex(tx.hash()));
      if (input.mode === 'build') {
        // buildBlock reads the parent's number, state root, gas limit and blob gas from this
        // header; the block's own parentHash, extraData and hash are set by the producer.
        const parent = createBlockHeader(
          {
            number: context.number - 1n,
            stateRoot: input.parentStateRoot,
            gasLimit: context.gasLimit,
            baseFeePerGas: context.baseFeePerGas,
            blobGasUsed: 0n,
            excessBlobGas: 0n,
            withdrawalsRoot: EMPTY_TRIE_ROOT,
            timestamp: context.timestamp - 1n,
          },
          { common, skipConsensusFormatValidation: true },
        );
        const out = await buildBlock(executor, {
          parent,
          transactions: input.transactions.map((t) =>
            t.senderPublicKey
              ? { tx: t.tx, senderPublicKey: t.senderPublicKey, raw: t.raw }
              : { tx: t.tx, raw: t.raw },
          ),
          coinbase: context.coinbase,
          timestamp: context.timestamp,
          gasLimit: context.gasLimit,
          baseFeePerGas: context.baseFeePerGas,
          mixHash: context.mixHash,
          mode,
        });
        const included = out.block.transactions.map((tx) => {
          const t = find(tx);
          if (!t)
            throw new ChainError(
              'INVALID_BLOCK',
              'libs/execution returned a transaction the pool did not give',
            );
          return t;
        });
        const skipped = out.skipped.map(({ tx, reason }) => {
          const t = find(tx);
          if (!t)
            throw new ChainError(
              'INVALID_BLOCK',
              'libs/execution skipped a transaction the pool did not give',
            );
          return { transaction: t, reason };
        });
        const touched = touchedOf(out.changes.accounts, out.gasUsed, context.coinbase);
        return {
          included,
          receipts: receiptsOf(out.receipts, included, context.baseFeePerGas),
          skipped,
          stateRoot: out.stateRoot,
          transactionsRoot: out.block.header.transactionsTrie,
          receiptsRoot: out.receiptsRoot,
          logsBloom: out.logsBloom,
          gasUsed: out.gasUsed,
          feesToPool: context.baseFeePerGas * out.gasUsed,
          touched: [...touched].map((a) => new Address(hexToBytes(a as `0x${string}`)).bytes),
          accountStates: out.changes.accountStates,
          stats: statsOf(context.number, out.stats),
        };
      }
      // The importer's decoded transactions go into the block as they are: createBlock would
      // rebuild each one from its fields (~10-15 ms per 200 transfers).
      const blockOptions = { common, skipConsensusFormatValidation: true };
      const header = createBlockHeader(
        {
          number: context.number,
          parentHash: context.parentHash,
          timestamp: context.timestamp,
          coinbase: context.coinbase,
          gasLimit: context.gasLimit,
          baseFeePerGas: context.baseFeePerGas,
          mixHash: context.mixHash,
          withdrawalsRoot: EMPTY_TRIE_ROOT,
          blobGasUsed: 0n,
          excessBlobGas: 0n,
        },
        blockOptions,
      );
      const block = new Block(
        header,
        input.transactions.map((t) => t.tx),
        [],
        [],
        blockOptions,
      );
      // Keys recovered by the importer (importer/blockTransactions.ts): execution trusts them.
      const senderPublicKeys = input.transactions.map((t) => t.senderPublicKey);
      const out = await executeBlock(executor, {
        block,
        parentStateRoot: input.parentStateRoot,
        mode,
        validate: false,
        raws: input.transactions.map((t) => t.raw),
        ...(senderPublicKeys.every((k) => k !== undefined) ? { senderPublicKeys } : {}),
      });
      const touched = touchedOf(out.changes.accounts, out.gasUsed, context.coinbase);
      return {
        included: [...input.transactions],
        receipts: receiptsOf(out.receipts, input.transactions, context.baseFeePerGas),
        skipped: [],
        stateRoot: out.stateRoot,
        // Over the serializations the block came with, in one pass (@ethereumjs's trie took
        // ~30 ms per 200 transactions, one async put each).
        transactionsRoot: orderedTrieRoot(
          input.transactions.map((t) => t.raw),
          keccak256,
          EMPTY_TRIE_ROOT,
        ),
        receiptsRoot: out.receiptsRoot,
        logsBloom: out.logsBloom,
        gasUsed: out.gasUsed,
        feesToPool: context.baseFeePerGas * out.gasUsed,
        touched: [...touched].map((a) => new Address(hexToBytes(a as `0x${string}`)).bytes),
        accountStates: out.changes.accountStates,
        stats: statsOf(context.number, out.stats),
      };
    },
  };
}

/** The gas price a transaction pays in a block of this base fee (EIP-1559). */
function effectiveGasPriceOf(tx: PendingTransaction['tx'], baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx && 'maxPriorityFeePerGas' in tx) {
    const max = tx.maxFeePerGas as bigint;
    const tip = tx.maxPriorityFeePerGas as bigint;
    return max < baseFee + tip ? max : baseFee + tip;
  }
  return (tx as unknown as { gasPrice: bigint }).gasPrice;
}
