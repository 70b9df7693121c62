// @khipu/chain: the node core every Khipu chain runs. See ARCHITECTURE.md.

export { ConfigError, loadNodeConfig, type NodeConfig, SETTINGS } from './config/config.js';
export { decodeConsensusBlock, hashConsensusBlock } from './consensus/blockCodec.js';
export type { CommittedBlock } from './consensus/chainBlocks.js';
export {
  createMessageDigester,
  decodeConsensusMessage,
  encodeConsensusMessage,
} from './consensus/codec.js';
export { type ConsensusCrypto, createConsensusCrypto } from './consensus/crypto.js';
export { loadP2PSettings } from './consensus/p2pConfig.js';
export { sealDigest } from './consensus/seal.js';
export { type ConsensusService, type P2PSettings, startConsensusService } from './consensus/service.js';
export { decodeEvidence, encodeEvidence } from './consensus/stateStore.js';
export type {
  CommitMessage,
  ConsensusMessage,
  EquivocationEvidence,
  PrepareMessage,
  ProposalMessage,
} from './consensus/types.js';
export {
  approveSetChange,
  encodeSignedSetChange,
  VALIDATOR_SET_CHANGE_ADDRESS,
  type ValidatorSetChange,
} from './consensus/validatorSetChange.js';
export { ChainError, type ChainErrorCode, isChainError } from './errors.js';
export {
  khipuPrecompiles,
  VERIFY_SEALED_HEADER_ADDRESS,
  VERIFY_SHARD_PROOF_ADDRESS,
} from './exec/precompiles.js';
export type {
  BlockExecutor,
  ExecuteBlockInput,
  ExecuteBlockOutput,
  PendingTransaction,
} from './exec/types.js';
export {
  DEFAULT_BLOCK_TIME_MS,
  DEFAULT_GAS_LIMIT,
  DEFAULT_STATE_SHARD_BITS,
  FEE_POOL_ADDRESS,
  type GenesisAccount,
  type GenesisConfig,
  type GenesisConfigJSON,
  genesisConfigToJSON,
  INITIAL_BASE_FEE,
  OUTBOX_ADDRESS,
  parseGenesisConfig,
  type SystemContract,
} from './genesis/config.js';
export { buildGenesis, validatorSetOf } from './genesis/genesis.js';
export { type BlockEnvelope, blockEnvelopeOf, Importer, type ImportPhases } from './importer/importer.js';
export { componentLogger, createNodeLogger } from './log/logger.js';
export { createNodeMetrics, type NodeMetrics } from './metrics/metrics.js';
export { type Chain, type OpenChainParameters, openChain } from './node/chain.js';
export { type ChainNode, type StartNodeParameters, startNode } from './node/node.js';
export { extractMessages, messageDispatchedTopic } from './outbox/messages.js';
export { createFaultyTransport, type FaultyTransport } from './p2p/faultyTransport.js';
export { createPeerNetwork, type PeerNetwork } from './p2p/network.js';
export type { StaticPeer, Transport } from './p2p/types.js';
export { nextBaseFee, type ProducedBlock, Producer, type ShardsHolder } from './producer/producer.js';
export { EMPTY_TRANSACTION_SOURCE, type TransactionSource } from './producer/types.js';
export type * from './rpc/backend.js';
export { StateUnavailableError } from './rpc/backend.js';
export { createRpcServer, type RpcServer } from './rpc/server.js';
export { ChainStore } from './store/chainStore.js';
export { createMemoryKV, type KVStore } from './store/kv.js';
export { CHAIN_TABLES, Tables } from './store/tables.js';
export { nextSupply } from './supply/supply.js';
export { Channel, createChannelMux, createChannelValidator } from './sync/channels.js';
export { createTxPool, TxPool } from './txpool/pool.js';
