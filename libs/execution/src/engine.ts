// One execution engine per thread: a VM whose state manager records each transaction's access,
// with the chain's precompiles. The workers run transactions from the parent state with it; the
// coordinator re-runs conflicting transactions and runs serial blocks with it.
import type { Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { EVM } from '@ethereumjs/evm';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import type { TypedTransaction } from '@ethereumjs/tx';
import { Address, bytesToUnprefixedHex } from '@ethereumjs/util';
import { createVM, type PostByzantiumTxReceipt, type RunTxResult, runTx, type VM } from '@ethereumjs/vm';
import type { TxOutcome } from './access.js';
import { BlockHashWindow } from './blockHashes.js';
import { FEE_POOL_ADDRESS } from './common.js';
import { installWordHandlers } from './evmWords.js';
import { installJumpAnalysisCache } from './jumpAnalysis.js';
import { TrackingStateManager } from './tracking.js';
import type { ExecutionExtensions, ExtensionsSource } from './types.js';

export interface TxEngine {
  readonly vm: VM;
  readonly tracker: TrackingStateManager;
  readonly sm: MerkleStateManager;
  /** What BLOCKHASH returns: set to the current block's ancestors before running it. */
  readonly blockHashes: BlockHashWindow;
}

/** Loads the chain's extensions from their module (none when `source` is undefined). */
export async function loadExtensions(source: ExtensionsSource | undefined): Promise<ExecutionExtensions> {
  if (source === undefined) return { precompiles: [], commutativeAccounts: [] };
  const mod = (await import(source.module)) as {
    createExecutionExtensions?: () => ExecutionExtensions | Promise<ExecutionExtensions>;
  };
  if (typeof mod.createExecutionExtensions !== 'function') {
    throw new TypeError(`extensions module ${source.module} does not export createExecutionExtensions()`);
  }
  return await mod.createExecutionExtensions();
}

export interface CreateTxEngineParameters {
  common: Common;
  sm: MerkleStateManager;
  extensions: ExecutionExtensions;
  trackReads: boolean;
}

/** A VM over a tracking state manager, with the chain's precompiles. */
export async function createTxEngine(p: CreateTxEngineParameters): Promise<TxEngine> {
  const tracker = new TrackingStateManager(p.sm, { trackReads: p.trackReads });
  const blockHashes = new BlockHashWindow();
  await installJumpAnalysisCache();
  const vm = await createVM({
    common: p.common,
    stateManager: tracker,
    blockchain: blockHashes,
    evmOpts: { customPrecompiles: [...p.extensions.precompiles] },
  });
  await installWordHandlers(vm.evm as EVM);
  // The top-level call is the EVM phase; what follows it is the fee payment, where additions to the
  // coinbase are increments rather than reads. runTx calls `vm.evm.runCall` on the instance, so
  // wrapping the instance's method is enough (a local patch, not visible outside this engine).
  const evm = vm.evm as unknown as { runCall: (opts: unknown) => Promise<unknown> };
  const runCall = evm.runCall.bind(vm.evm);
  evm.runCall = async (opts: unknown) => {
    tracker.inExecution = true;
    try {
      return await runCall(opts);
    } finally {
      tracker.inExecution = false;
    }
  };
  const commutative = new Set<string>([bytesToUnprefixedHex(hexBytes(FEE_POOL_ADDRESS))]);
  for (const a of p.extensions.commutativeAccounts) commutative.add(a.toLowerCase().replace(/^0x/, ''));
  tracker.commutative = commutative;
  return { vm, tracker, sm: p.sm, blockHashes };
}

function hexBytes(hex: string): Uint8Array {
  const h = hex.replace(/^0x/, '');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Carries a recovered sender on the transaction: its public key in the cache and, when the object
 * is not frozen (decoded with `freeze: false`), its address, which runTx asks for and ethereumjs
 * derives with a pure-JS keccak on every call.
 */
export function carrySender(
  tx: TypedTransaction,
  publicKey: Uint8Array,
  keccak256: (data: Uint8Array) => Uint8Array,
): void {
  (tx.cache as { senderPubKey?: Uint8Array }).senderPubKey = publicKey;
  if (Object.isFrozen(tx)) return;
  const sender = new Address(keccak256(publicKey).subarray(12));
  (tx as { getSenderAddress: () => Address }).getSenderAddress = () => sender;
}

/** Makes `coinbase` commutative for the block, on top of the fixed ones. */
export function setBlockCoinbase(engine: TxEngine, base: ReadonlySet<string>, coinbase: Uint8Array): void {
  const set = new Set(base);
  set.add(bytesToUnprefixedHex(coinbase));
  engine.tracker.commutative = set;
}

/** Runs one transaction on the engine's current state and returns its outcome and access. A
 *  refused transaction (bad nonce, balance short, …) is an outcome with `ok: false`, not a throw. */
export async function runTracked(
  engine: TxEngine,
  tx: TypedTransaction,
  block: Block,
  blockGasUsed: bigint,
): Promise<{ outcome: TxOutcome; result: RunTxResult | undefined }> {
  engine.tracker.beginTx();
  let result: RunTxResult | undefined;
  let error = '';
  try {
    result = await runTx(engine.vm, { tx, block, blockGasUsed, skipHardForkValidation: true });
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  const access = await engine.tracker.endTx();
  if (result === undefined) {
    return {
      outcome: {
        ok: false,
        error,
        totalGasSpent: 0n,
        blockGasSpent: 0n,
        receiptStatus: 0,
        logs: [],
        access,
        gasLimit: tx.gasLimit,
        txType: tx.type,
      },
      result,
    };
  }
  const receipt = result.receipt as PostByzantiumTxReceipt;
  return {
    outcome: {
      ok: true,
      error: '',
      totalGasSpent: result.totalGasSpent,
      blockGasSpent: result.blockGasSpent,
      receiptStatus: receipt.status,
      logs: receipt.logs,
      access,
      gasLimit: tx.gasLimit,
      txType: tx.type,
    },
    result,
  };
}
