// @khipu/chain/testing: test doubles for whoever tests against a chain's RPC without the node
// core: an in-memory chain behind the real RPC server and pool.

export { signTransaction, type TestAccount, testAccount } from './accounts.js';
export {
  type ContractHook,
  type ContractOutcome,
  type CreateFakeChainParameters,
  createFakeChain,
  type FakeAccount,
  FakeChain,
  fakeBackend,
} from './fakeChain.js';
export { type StartTestNodeParameters, startTestNode, type TestNode } from './harness.js';
