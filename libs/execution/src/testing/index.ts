// @khipu/execution/testing: test doubles and fixtures for those who use the library (worlds with
// funded accounts and test contracts, randomized blocks, the stock runBlock reference).
export type { AbiArg } from './abi.js';
export { encodeCall } from './abi.js';
export { Child, Factory, Pool, Probe, Token } from './contracts.js';
export type { RandomBlockParameters, SignParameters, TestAccount, TestWorld, TxKind } from './scenario.js';
export {
  ALL_KINDS,
  BASE_FEE,
  COINBASE,
  CONTRACTS,
  createTestWorld,
  Rng,
  randomTransactions,
  signNext,
  testAccounts,
  tokenBalanceSlot,
} from './scenario.js';
export type { StockResult } from './stock.js';
export { runStockBlock } from './stock.js';
