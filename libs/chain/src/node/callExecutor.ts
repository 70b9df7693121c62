// eth_call / eth_estimateGas: a transaction run on a VM at the block's state root, in that
// block's context, and rolled back. As geth: no fee set means base fee 0 and no
// balance needed for gas; the nonce is checked only when given.

import { type BlockHeader, createBlockHeader } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { createTx, type TypedTransaction } from '@ethereumjs/tx';
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { createBlockHashSource } from '../exec/blockHashSource.js';
import { khipuPrecompiles } from '../exec/precompiles.js';
import { createStateManagerAt } from '../exec/state.js';
import type { BlockReader, CallExecutor, CallRequest, CallResult, HeaderData, Hex } from '../rpc/backend.js';
import { StateUnavailableError } from '../rpc/backend.js';
import type { OverlayStateDB } from '../store/stateDB.js';

const ZERO_ADDRESS = new Address(new Uint8Array(20));
/** State roots whose VM is kept (calls mostly ask for the head; a few for the block before). */
const MAX_ROOTS = 3;

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

/** One VM at a committed state root, with its warm caches, and the calls queued on it. */
interface RootVM {
  root: string;
  vm: Promise<VM>;
  /** The header each block context needs, built once per fee mode (see `call`). */
  headers: Map<string, BlockHeader>;
  /** Calls on one VM run one after the other: they share its state manager's checkpoints. */
  tail: Promise<unknown>;
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
  // A VM costs more to create than most calls take, and its caches are what makes a call cheap:
  // one VM per state root (a committed root never changes), for the last few roots. Calls on a
  // root queue on its VM: they are CPU-bound on this one thread, so running them one after the
  // other costs no throughput, and the node keeps a few VMs instead of one per concurrent call.
  const byRoot = new Map<string, RootVM>();
  function rootVM(root: string): RootVM {
    const known = byRoot.get(root);
    if (known) {
      // Most recently used last: the first key is the one to drop.
      byRoot.delete(root);
      byRoot.set(root, known);
      return known;
    }
    const entry: RootVM = {
      root,
      vm: createVM({
        common,
        stateManager: createStateManagerAt(db, hexToBytes(root as Hex), common, { cached: true }),
        blockchain: hashSource,
        evmOpts: { customPrecompiles: khipuPrecompiles() },
      }),
      headers: new Map(),
      tail: Promise.resolve(),
    };
    byRoot.set(root, entry);
    while (byRoot.size > MAX_ROOTS) {
      const oldest = byRoot.keys().next();
      if (oldest.done) break;
      byRoot.delete(oldest.value);
    }
    return entry;
  }
  function queued<T>(entry: RootVM, run: () => Promise<T>): Promise<T> {
    const result = entry.tail.then(run);
    entry.tail = result.catch(() => undefined);
    return result;
  }
  function headerOf(entry: RootVM, header: HeaderData, feeSet: boolean): BlockHeader {
    const key = `${header.hash}:${feeSet}`;
    let built = entry.headers.get(key);
    if (built === undefined) {
      built = createBlockHeader(
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
      entry.headers.set(key, built);
    }
    return built;
  }
  return {
    async call(request: CallRequest & { gas: bigint }, blockNumber: bigint): Promise<CallResult> {
      const header = await blocks.getHeaderByNumber(blockNumber);
      if (!header) throw new StateUnavailableError(blockNumber);
      const entry = rootVM(header.stateRoot);
      return queued(entry, async () => {
        const vm = await entry.vm;
        try {
          return await runCall(vm, entry, header, request);
        } catch (error) {
          // A VM whose journal an exception left mid-way is not reused.
          if (byRoot.get(entry.root) === entry) byRoot.delete(entry.root);
          throw error;
        }
      });
    },
  };

  async function runCall(
    vm: VM,
    entry: RootVM,
    header: HeaderData,
    request: CallRequest & { gas: bigint },
  ): Promise<CallResult> {
    const feeSet =
      (request.gasPrice ?? 0n) > 0n ||
      (request.maxFeePerGas ?? 0n) > 0n ||
      (request.maxPriorityFeePerGas ?? 0n) > 0n;
    const stateManager = vm.stateManager;
    const blockHeader = headerOf(entry, header, feeSet);
    const from = request.from ? new Address(hexToBytes(request.from)) : ZERO_ADDRESS;
    const to = request.to ? new Address(hexToBytes(request.to)) : undefined;
    // Accounts and code read inside the checkpoint leave the cache when it is rolled back: read
    // what every call touches (sender, target and its code, coinbase) before it, so that they
    // stay warm.
    const sender = await stateManager.getAccount(from);
    if (to) {
      await stateManager.getAccount(to);
      await stateManager.getCode(to);
    }
    await stateManager.getAccount(blockHeader.coinbase);
    // Everything the call writes is rolled back: the VM stays at its root.
    await stateManager.checkpoint();
    const nonce = request.nonce ?? sender?.nonce ?? 0n;
    const base = {
      nonce,
      gasLimit: request.gas,
      to,
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
    let refused: unknown;
    let result: Awaited<ReturnType<typeof runTx>> | undefined;
    try {
      result = await runTx(vm, {
        tx,
        // runTx reads only the header of `block`.
        block: { header: blockHeader } as never,
        skipNonce: request.nonce === undefined,
        skipBlockGasLimitValidation: true,
        skipHardForkValidation: true,
      });
    } catch (cause) {
      refused = cause;
    }
    await stateManager.revert();
    if (result === undefined) {
      // A refused transaction may leave the VM's journal mid-way: do not reuse this one.
      if (byRoot.get(entry.root) === entry) byRoot.delete(entry.root);
      const message = refused instanceof Error ? refused.message : String(refused);
      return { status: 'halt', returnData: '0x', gasUsed: 0n, error: gethError(message) };
    }
    const returnData = bytesToHex(result.execResult.returnValue) as Hex;
    const error = result.execResult.exceptionError;
    if (!error) return { status: 'success', returnData, gasUsed: result.totalGasSpent };
    if (error.error === 'revert') return { status: 'revert', returnData, gasUsed: result.totalGasSpent };
    return { status: 'halt', returnData, gasUsed: result.totalGasSpent, error: gethError(error.error) };
  }
}
