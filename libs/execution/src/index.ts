// @khipu/execution: Khipu-style optimistic parallel block execution over @ethereumjs/vm.
export type {
  AccountRead,
  AccountWrite,
  BalanceIncrement,
  SlotRead,
  SlotWrite,
  TxAccess,
  TxOutcome,
} from './access.js';
export { decodeTxOutcome, encodeTxOutcome } from './access.js';
export { buildBlock } from './buildBlock.js';
export type { CreateExecutionCommonParameters } from './common.js';
export { createExecutionCommon, FEE_POOL_ADDRESS, feePoolAddress } from './common.js';
export type { CryptoBackend, ExecutionCrypto } from './crypto.js';
export { executionCrypto, loadExecutionCrypto } from './crypto.js';
export type { ExecutionErrorCode, ExecutionErrorDetails, HeaderMismatch } from './errors.js';
export { ExecutionError, isExecutionError } from './errors.js';
export { executeBlock } from './executeBlock.js';
export type { CreateExecutorParameters, Executor } from './executor.js';
export { createExecutor } from './executor.js';
export type { GenesisAccount, WriteGenesisStateParameters } from './genesis.js';
export { writeGenesisState } from './genesis.js';
export { computeLanes, decodeLanes, encodeLanes } from './lanes.js';
export type { MemoryStateStore } from './state.js';
export { createCachedStateManager, createMemoryStateStore, StateDB } from './state.js';
export { orderedTrieRoot } from './trieBatch.js';
export type * from './types.js';
