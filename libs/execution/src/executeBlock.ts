import { TransactionType } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import { ExecutionError } from './errors.js';
import { type BlockJob, type Executor, executorImpl, zeroPhases } from './executor.js';
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
    const validate = p.validate ?? true;
    let job: BlockJob;
    if (p.block instanceof Uint8Array) {
      // RLP: split it once (raw transaction bytes, header bytes); the transaction objects are
      // built by `materialize`, which runs while the workers execute in parallel mode.
      const split = impl.splitBlock(p.block);
      job = impl.newJob({
        ...split,
        materialize: () => impl.materializeBlock(job, split.decoded, validate),
        prepareHeader: () => impl.prepareSplitHeader(job, split.decoded, validate),
      });
    } else {
      const block = p.block;
      block.transactions.forEach((tx, i) => {
        if (tx.type === TransactionType.BlobEIP4844 || tx.type === TransactionType.EOACodeEIP7702) {
          throw impl.unsupported(tx.type, i, bytesToHex(tx.hash()), block.header.number);
        }
      });
      if (p.raws !== undefined && p.raws.length !== block.transactions.length) {
        throw new ExecutionError(
          'INVALID_BLOCK',
          `block ${block.header.number}: ${p.raws.length} raw transactions given for ${block.transactions.length} transactions`,
          { blockNumber: block.header.number },
        );
      }
      job = impl.newJob({
        raws: p.raws ? [...p.raws] : block.transactions.map((tx) => tx.serialize()),
        headerRLP: block.header.serialize(),
        number: block.header.number,
        materialize: async () => {
          if (job.block !== undefined) return;
          if (validate) await impl.checkTransactionsTrie(block, job.raws);
          job.block = block;
          job.txs = block.transactions;
        },
      });
    }
    Object.assign(job, {
      senderKeys: p.senderPublicKeys,
      parentStateRoot: p.parentStateRoot,
      mode: p.mode ?? 'serial',
      lanes: p.lanes,
      validate,
      commit: p.commit ?? true,
      phases,
    });
    const run = await impl.runBlock(job);
    phases.total = performance.now() - start;
    const { included: _i, dropped: _d, accesses: _a, ...result } = run;
    return result;
  });
}
