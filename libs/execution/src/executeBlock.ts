import type { Block } from '@ethereumjs/block';
import { TransactionType } from '@ethereumjs/tx';
import { bytesToHex, equalsBytes } from '@ethereumjs/util';
import { describeBlock, ExecutionError } from './errors.js';
import { type Executor, executorImpl, zeroPhases } from './executor.js';
import type { ExecuteBlockParameters, ExecuteBlockReturnType } from './types.js';

/**
 * Validates a block: runs it (serially, or in parallel with the executor's workers) from the
 * parent state, compares gas used, receipts root, logs bloom and state root with the header and,
 * when they agree, commits the new state to the store in one write.
 *
 * @throws ExecutionError naming the block and transaction: `UNSUPPORTED_TX_TYPE` (blob or
 * EIP-7702), `INVALID_SIGNATURE`, `INVALID_TX` (nonce, balance, fee, intrinsic gas…),
 * `BLOCK_GAS_EXCEEDED`, `HEADER_MISMATCH` (with every mismatched field), `MISSING_STATE`,
 * `INVALID_BLOCK` (undecodable RLP), `WORKER_FAILED`.
 * @example
 * const result = await executeBlock(executor, { block: rlp, parentStateRoot, mode: 'parallel' })
 * result.stats.parallelism // share merged without a re-run
 */
export async function executeBlock(
  executor: Executor,
  p: ExecuteBlockParameters,
): Promise<ExecuteBlockReturnType> {
  const impl = executorImpl(executor);
  return impl.exclusive(async () => {
    const phases = zeroPhases();
    const start = performance.now();
    let block: Block;
    let raws: Uint8Array[];
    if (p.block instanceof Uint8Array) ({ block, raws } = impl.decodeBlock(p.block));
    else {
      block = p.block;
      raws = block.transactions.map((tx) => tx.serialize());
    }
    const txs = block.transactions;
    txs.forEach((tx, i) => {
      if (tx.type === TransactionType.BlobEIP4844 || tx.type === TransactionType.EOACodeEIP7702) {
        throw impl.unsupported(tx.type, i, bytesToHex(tx.hash()), block.header.number);
      }
    });
    const validate = p.validate ?? true;
    const txRoot = validate ? await impl.transactionsRoot(raws) : undefined;
    if (txRoot !== undefined && !equalsBytes(txRoot, block.header.transactionsTrie)) {
      const computed = bytesToHex(txRoot);
      const header = bytesToHex(block.header.transactionsTrie);
      throw new ExecutionError(
        'HEADER_MISMATCH',
        `${describeBlock(block.header.number)} does not match its header: transactionsTrie: header ${header}, computed ${computed}`,
        { blockNumber: block.header.number, mismatches: [{ field: 'transactionsTrie', header, computed }] },
      );
    }
    phases.decode = performance.now() - start;
    const mode = p.mode ?? 'serial';
    let t = performance.now();
    const senderKeys = await impl.recoverSenders(block, txs, raws, mode, p.senderPublicKeys);
    phases.recovery = performance.now() - t;
    t = performance.now();
    const run = await impl.runBlock({
      block,
      txs,
      raws,
      senderKeys,
      parentStateRoot: p.parentStateRoot,
      mode,
      lanes: p.lanes,
      validate,
      commit: p.commit ?? true,
      dropInvalid: false,
      phases,
    });
    phases.total = performance.now() - start;
    const { included: _i, dropped: _d, accesses: _a, ...result } = run;
    return result;
  });
}
