// @khipu/dietcoin: Khipu headers, seals, a header-only light client and shard proofs.
// Start with `await initDietcoin()`: it loads native libsecp256k1 and the WASM keccak.

export { type DietcoinBackends, dietcoinBackends, initDietcoin } from './crypto/backend.js';
export { keccak256 } from './crypto/keccak.js';
export { bytesToHex, hexToBytes } from './encoding/bytes.js';
export { DietcoinError, type DietcoinErrorCode, isDietcoinError } from './errors.js';
export {
  type CreateKhipuCommonParameters,
  createKhipuCommon,
  KHIPU_CONSENSUS_ALGORITHM,
  KHIPU_CONSENSUS_TYPE,
  OMITTED_EIPS,
} from './header/common.js';
export {
  decodeExtraData,
  encodeExtraData,
  type KhipuExtraData,
  MAX_EXTRA_DATA_BYTES,
  type Seals,
} from './header/extraData.js';
export {
  type CreateHeaderParameters,
  checkHeaderRules,
  createHeader,
  type DecodedHeader,
  decodeHeader,
  EMPTY_REQUESTS_HASH,
  EMPTY_TRIE_ROOT,
  EMPTY_UNCLE_HASH,
  encodeHeader,
  type HeaderLink,
  hashHeader,
  type KhipuHeader,
  MAX_HEADER_BYTES,
  scanHeader,
} from './header/header.js';
export { decodeSealedHeader, encodeSealedHeader, type SealedHeader } from './header/sealedHeader.js';
export {
  type Checkpoint,
  type CreateHeaderChainParameters,
  createHeaderChain,
  HeaderChain,
  type HeaderChainRules,
  type Misbehaviour,
  type OpenHeaderChainParameters,
  openHeaderChain,
  type SyncMode,
  type SyncProgress,
  type SyncReport,
} from './lightclient/headerChain.js';
export {
  type CreateKesqueHeaderStoreParameters,
  createKesqueHeaderStore,
  type KesqueTables,
} from './lightclient/kesqueStore.js';
export { MemoryHeaderStore } from './lightclient/memoryStore.js';
export {
  decodeHeaderRecord,
  encodeHeaderRecord,
  HEADER_RECORD_BYTES,
  HEADER_RECORD_MAX_BYTES,
  recordOfHeader,
  type VerifiedHeaderRecord,
} from './lightclient/record.js';
export type {
  HeaderRecordReader,
  HeaderRecordWriter,
  HeaderStore,
  HeaderStoreBatch,
  LightClientState,
} from './lightclient/store.js';
export { DIETCOIN_TABLES, META_STATE_KEY } from './lightclient/tables.js';
export {
  decodeMerkleMultiProof,
  decodeMerkleProof,
  encodeMerkleMultiProof,
  encodeMerkleProof,
  type MerkleMultiProof,
  type MerkleProof,
} from './merkle/proofCodec.js';
export {
  hashLeaf,
  hashNode,
  MerkleTree,
  merkleRoot,
  multiProofRoot,
  proofRoot,
  rootHash,
  ZERO_ROOT,
} from './merkle/tree.js';
export {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BODY_BYTES,
  MESSAGE_VERSION,
  type Message,
  MessageKind,
  messageId,
} from './message/message.js';
export {
  type CreateMessageProofParameters,
  createMessageProof,
  decodeMessageProof,
  encodeMessageProof,
  type MessageProof,
  type VerifyMessageProofParameters,
  type VerifyMessageProofReturnType,
  verifyMessageProof,
} from './message/messageProof.js';
export {
  type CreateShardProofParameters,
  createShardProof,
  decodeShardProof,
  encodeShardProof,
  type ShardProof,
  type VerifyShardProofParameters,
  type VerifyShardProofReturnType,
  verifyShardProof,
} from './message/shardProof.js';
export {
  type BuildMessageShardsParameters,
  buildMessageShards,
  type MessageShard,
  type MessageShards,
} from './message/shards.js';
export {
  type CreateEvidenceParameters,
  createEvidence,
  decodeEvidence,
  EVIDENCE_BYTES,
  type Evidence,
  encodeEvidence,
  type FindEvidenceParameters,
  findEvidence,
  type VerifyEvidenceParameters,
  type Vote,
  verifyEvidence,
} from './seal/evidence.js';
export {
  addressOfPrivateKey,
  recoverSealSigner,
  SEAL_BYTES,
  type SealSubject,
  type SignSealParameters,
  sealDigest,
  signSeal,
} from './seal/seal.js';
export {
  type CreateValidatorSetParameters,
  createValidatorSet,
  decodeValidatorSet,
  encodeValidatorSet,
  hasQuorum,
  MAX_VALIDATORS,
  type QuorumRule,
  type Validator,
  type ValidatorSet,
} from './seal/validatorSet.js';
export { type VerifySealsParameters, type VerifySealsReturnType, verifySeals } from './seal/verifySeals.js';
export { PackedHeaderList } from './source/headerList.js';
export type { HeaderSource } from './source/headerSource.js';
export {
  type BlockProofMaterial,
  encodeSealedHeaderBytes,
  type MemoryChain,
  MemoryHeaderSource,
} from './source/memorySource.js';
export { type Account, decodeAccount, encodeAccount } from './state/account.js';
export {
  type AccountProof,
  type CreateAccountProofParameters,
  createAccountProof,
  decodeAccountProof,
  encodeAccountProof,
  type VerifyAccountProofParameters,
  verifyAccountProof,
} from './state/accountProof.js';
export {
  type CreateStateShardProofParameters,
  createStateShardProof,
  decodeStateShardProof,
  encodeStateShardProof,
  type StateShardProof,
  type VerifyStateShardProofParameters,
  verifyStateShardProof,
} from './state/stateShardProof.js';
export {
  type AccountChange,
  type CreateStateShardsParameters,
  MAX_SHARD_BITS,
  StateShards,
  shardOf,
} from './state/stateShards.js';
export {
  derivePrivateKey,
  type GenerateChainParameters,
  type GeneratedChain,
  generateChain,
  quorumSize,
} from './testing/generateChain.js';
