// eth_call / eth_estimateGas: a transaction run on a throw-away state manager at the block's
// root, in that block's context, never committed. As geth: no fee set means base fee 0 and no
// balance needed for gas; the nonce is checked only when given.

import { createBlockHeader } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { createTx, type TypedTransaction } from '@ethereumjs/tx';
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { createBlockHashSource } from '../exec/blockHashSource.js';
import { khipuPrecompiles } from '../exec/precompiles.js';
import { createStateManagerAt } from '../exec/state.js';
import type { BlockReader, CallExecutor, CallRequest, CallResult, Hex } from '../rpc/backend.js';
import { StateUnavailableError } from '../rpc/backend.js';
import type { OverlayStateDB } from '../store/stateDB.js';

const ZERO_ADDRESS = new Address(new Uint8Array(20));
const MAX_ROOTS = 3;
const MAX_IDLE_PER_ROOT = 32;

/** ethereumjs's words -> geth's, for the errors clients match on. */
export function gethError(message: string): string {
  if (/enough funds|insufficient/i.test(message)) return 'insufficient funds for gas * price + value';
  const nonce = /account has nonce of: (\d+) tx has nonce of: (\d+)/.exec(message);
  if (nonce) return BigInt(nonce[2] ?? 0) < BigInt(nonce[1] ?? 0) ? 'nonce too low' : 'nonce too high';
  if (
    /gas limit.*(less|lower) than|intrinsic|base fee exceeds gas limit|gasLimit is too low/i.test(message)
  ) {
    return 'intrinsic gas too low';
  }
  if (/max fee per gas less than block base fee|less than block base fee/i.test(message)) {
    return 'max fee per gas less than block base fee';
  }
  if (message === 'invalid opcode') return 'invalid opcode: INVALID';
  if (message === 'invalid JUMP') return 'invalid jump destination';
  if (message === 'static state change') return 'write protection';
  return message;
}

export function createChainCallExecutor(options: {
  blocks: BlockReader;
  db: OverlayStateDB;
  common: Common;
}): CallExecutor {
  const { blocks, db, common } = options;
  const hashSource = createBlockHashSource((n) => {
    const h = blocks.getHeaderByNumber(n);
    return h && !(h instanceof Promise) ? hexToBytes(h.hash) : undefined;
  });
  // Creating a VM costs more than most calls: idle VMs are kept per state root (a committed root
  // never changes), each used by one call at a time, for the last few roots.
  const idle = new Map<string, VM[]>();
  async function acquire(root: string): Promise<VM> {
    const vm = idle.get(root)?.pop();
    if (vm) return vm;
    return createVM({
      common,
      stateManager: createStateManagerAt(db, hexToBytes(root as Hex), common, { cached: true }),
      blockchain: hashSource,
      evmOpts: { customPrecompiles: khipuPrecompiles() },
    });
  }
  function release(root: string, vm: VM): void {
    let list = idle.get(root);
    if (!list) {
      list = [];
      idle.set(root, list);
      while (idle.size > MAX_ROOTS) {
        const oldest = idle.keys().next();
        if (oldest.done) break;
        idle.delete(oldest.value);
      }
    }
    if (list.length < MAX_IDLE_PER_ROOT) list.push(vm);
  }
  return {
    async call(request: CallRequest & { gas: bigint }, blockNumber: bigint): Promise<CallResult> {
      const header = await blocks.getHeaderByNumber(blockNumber);
      if (!header) throw new StateUnavailableError(blockNumber);
      const feeSet =
        (request.gasPrice ?? 0n) > 0n ||
        (request.maxFeePerGas ?? 0n) > 0n ||
        (request.maxPriorityFeePerGas ?? 0n) > 0n;
      const vm = await acquire(header.stateRoot);
      const stateManager = vm.stateManager;
      // Everything the call writes is rolled back: the VM goes back to the pool clean.
      await stateManager.checkpoint();
      const blockHeader = createBlockHeader(
        {
          number: header.number,
          parentHash: hexToBytes(header.parentHash),
          timestamp: header.timestamp,
          coinbase: hexToBytes(header.coinbase),
          gasLimit: header.gasLimit,
          baseFeePerGas: feeSet ? (header.baseFeePerGas ?? 0n) : 0n,
          mixHash: hexToBytes(header.mixHash),
        },
        { common, skipConsensusFormatValidation: true },
      );
      const from = request.from ? new Address(hexToBytes(request.from)) : ZERO_ADDRESS;
      const nonce = request.nonce ?? (await stateManager.getAccount(from))?.nonce ?? 0n;
      const base = {
        nonce,
        gasLimit: request.gas,
        to: request.to ? hexToBytes(request.to) : undefined,
        value: request.value ?? 0n,
        data: request.input ? hexToBytes(request.input) : new Uint8Array(0),
      };
      const accessList = request.accessList?.map((e) => ({ address: e.address, storageKeys: e.storageKeys }));
      let tx: TypedTransaction;
      if (request.maxFeePerGas !== undefined || request.maxPriorityFeePerGas !== undefined) {
        const maxFeePerGas =
          request.maxFeePerGas ?? (header.baseFeePerGas ?? 0n) + (request.maxPriorityFeePerGas ?? 0n);
        tx = createTx(
          {
            ...base,
            type: 2,
            maxFeePerGas,
            maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? 0n,
            accessList,
          },
          { common, freeze: false },
        );
      } else if (accessList) {
        tx = createTx(
          { ...base, type: 1, gasPrice: request.gasPrice ?? 0n, accessList },
          { common, freeze: false },
        );
      } else {
        tx = createTx({ ...base, type: 0, gasPrice: request.gasPrice ?? 0n }, { common, freeze: false });
      }
      // An unsigned transaction run as `from`: how @ethereumjs's own client serves eth_call.
      tx.getSenderAddress = () => from;
      let reusable = true;
      try {
        const result = await runTx(vm, {
          tx,
          // runTx reads only the header of `block`.
          block: { header: blockHeader } as never,
          skipNonce: request.nonce === undefined,
          skipBlockGasLimitValidation: true,
          skipHardForkValidation: true,
        });
        const returnData = bytesToHex(result.execResult.returnValue) as Hex;
        const error = result.execResult.exceptionError;
        if (!error) return { status: 'success', returnData, gasUsed: result.totalGasSpent };
        if (error.error === 'revert') return { status: 'revert', returnData, gasUsed: result.totalGasSpent };
        return { status: 'halt', returnData, gasUsed: result.totalGasSpent, error: gethError(error.error) };
      } catch (cause) {
        // A refused transaction may leave the VM's journal mid-way: do not reuse this one.
        reusable = false;
        const message = cause instanceof Error ? cause.message : String(cause);
        return { status: 'halt', returnData: '0x', gasUsed: 0n, error: gethError(message) };
      } finally {
        await stateManager.revert();
        if (reusable) release(header.stateRoot, vm);
      }
    },
  };
}
