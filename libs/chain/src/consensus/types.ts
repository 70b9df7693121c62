// Public contract of the consensus core (QBFT / IBFT 2.0 style). The node drives a
// `ConsensusEngine` with `ConsensusInput`s and carries out the `ConsensusOutput`s it returns; the
// engine does no I/O, reads no clock and draws no random numbers, so a run is a pure function of
// its inputs (the simulator relies on it).

/** A 20-byte validator address, lower-case hex with 0x. */
export type Address = `0x${string}`;
/** A 32-byte hash, lower-case hex with 0x. */
export type Hash = `0x${string}`;

/**
 * Signs 32-byte digests with a validator's key.
 * Contract: `sign` is deterministic for one key and digest (RFC 6979) and returns 65 bytes
 * `r ‖ s ‖ v` with low s and v in {0, 1}; `address` is the key's Ethereum address.
 */
export interface Signer {
  readonly address: Address;
  sign(digest: Uint8Array): Uint8Array;
}

/**
 * Checks that a 65-byte signature over a 32-byte digest was made by `address`.
 * Contract: returns false (never throws) for any malformed, high-s or foreign signature; the
 * answer depends only on the arguments.
 */
export interface SealVerifier {
  verify(digest: Uint8Array, signature: Uint8Array, address: Address): boolean;
}

/** keccak-256 of `data`, synchronous (libs/dietcoin's `keccak256`, after `initDietcoin()`). */
export type Keccak256 = (data: Uint8Array) => Uint8Array;

/** What a commit seal signs: `(chainId, height, round, blockHash)`; the round is not part of the block hash. */
export interface SealSubject {
  chainId: bigint;
  height: number;
  round: number;
  blockHash: Uint8Array;
}

/** One validator's commit seal: a signature over the seal digest of the decided block. */
export interface Seal {
  validator: Address;
  signature: Uint8Array;
}

/** The validators of one height, ascending by address, no duplicates. */
export interface ValidatorSetView {
  readonly validators: readonly Address[];
  /**
   * Voting power of each validator, aligned with `validators`, each above 0: the stake on the hub.
   * Omitted: one vote each (enterprise chains count heads). Quorums are more than 2/3 of the power.
   */
  readonly powers?: readonly bigint[];
}

/** The steps a validator signs in a round. */
export type VoteStep = 'proposal' | 'prepare' | 'commit';

interface MessageEnvelope {
  chainId: bigint;
  height: number;
  round: number;
  sender: Address;
  /** 65 bytes over `messageDigest` of the signed part (see codec.ts). */
  signature: Uint8Array;
}

/** PREPARE: the sender accepted the proposal `blockHash` of `round`. */
export interface PrepareMessage extends MessageEnvelope {
  type: 'prepare';
  blockHash: Hash;
}

/** COMMIT: the sender saw a quorum of prepares for `blockHash` and gives its commit seal. */
export interface CommitMessage extends MessageEnvelope {
  type: 'commit';
  blockHash: Hash;
  /** Seal over `sealDigest(chainId, height, round, blockHash)`. */
  seal: Uint8Array;
}

/** The highest round in which the sender saw a quorum of prepares, with that quorum. */
export interface PreparedCertificate {
  round: number;
  blockHash: Hash;
  block: Uint8Array;
  prepares: readonly PrepareMessage[];
}

/**
 * ROUND-CHANGE to `round`. The signed part carries the sender's prepared round and block hash;
 * the block and the prepare quorum travel beside it (unsigned, checked by their own content).
 */
export interface RoundChangeMessage extends MessageEnvelope {
  type: 'roundChange';
  prepared: { round: number; blockHash: Hash } | null;
  /** The prepared block and its prepares; null when not prepared or when embedded in a proposal. */
  certificate: { block: Uint8Array; prepares: readonly PrepareMessage[] } | null;
}

/**
 * PROPOSAL of `block` (hash `blockHash`) for `round` by that round's proposer. In a round above 0
 * it is justified by a quorum of round changes to the round and, when one of them is prepared,
 * the prepare quorum of the highest prepared round, whose block it must propose.
 */
export interface ProposalMessage extends MessageEnvelope {
  type: 'proposal';
  blockHash: Hash;
  block: Uint8Array;
  justification: {
    roundChanges: readonly RoundChangeMessage[];
    prepares: readonly PrepareMessage[];
  };
}

/** A decided block and its commit seals, sent to a validator that is behind. */
export interface CertificateMessage extends MessageEnvelope {
  type: 'certificate';
  blockHash: Hash;
  block: Uint8Array;
  seals: readonly Seal[];
}

export type ConsensusMessage =
  | ProposalMessage
  | PrepareMessage
  | CommitMessage
  | RoundChangeMessage
  | CertificateMessage;

export type ConsensusMessageType = ConsensusMessage['type'];

/** A final block: the block plus commit seals from more than 2/3 of the validators. */
export interface Decision {
  height: number;
  round: number;
  blockHash: Hash;
  block: Uint8Array;
  seals: readonly Seal[];
}

/**
 * What the engine must find again after a restart to stay safe. The node writes it durably before
 * it carries out any output that follows the `persist` output in the same batch.
 */
export interface PersistedConsensusState {
  height: number;
  round: number;
  prepared: PreparedCertificate | null;
}

/** Round timer: `min(baseMs * 2^round, maxMs)` (exponential, capped); see README. */
export interface RoundTimeouts {
  baseMs: number;
  maxMs: number;
}

/** Inputs the node feeds the engine. */
export type ConsensusInput =
  /**
   * Begin `height` with its validator set (after the previous height was decided and stored).
   * The set may be omitted when the engine has `validatorsAt`; given, it must agree with it.
   */
  | { kind: 'startHeight'; height: number; validators?: ValidatorSetView }
  /** A message from the network, decoded by `decodeConsensusMessage` (the engine verifies it). */
  | { kind: 'message'; message: ConsensusMessage }
  /** The timer set by the `setTimer` output with this `timerId` fired. */
  | { kind: 'timeout'; timerId: number }
  /** Answer to `buildBlock`: the block to propose at `height`, `round`. */
  | { kind: 'blockBuilt'; height: number; round: number; block: Uint8Array }
  /** Answer to `validateBlock`: whether the block with this hash may be final at `height`. */
  | { kind: 'blockValidated'; height: number; blockHash: Hash; valid: boolean }
  /**
   * A decision from the node's store (after a restart, the last few heights), so that the engine
   * answers validators that are behind with its certificate.
   */
  | { kind: 'rememberDecision'; decision: Decision; validators?: ValidatorSetView };

/** Outputs the node carries out, in order. */
export type ConsensusOutput =
  /** Send to every other validator (and followers). */
  | { kind: 'broadcast'; message: ConsensusMessage }
  /** Send to one validator. */
  | { kind: 'send'; to: Address; message: ConsensusMessage }
  /** (Re)arm the single round timer: replaces any earlier timer. */
  | { kind: 'setTimer'; timerId: number; height: number; round: number; afterMs: number }
  /** Build a block for `height` and answer with `blockBuilt`. */
  | { kind: 'buildBlock'; height: number; round: number }
  /** Execute the proposed block and answer with `blockValidated`. */
  | { kind: 'validateBlock'; height: number; round: number; blockHash: Hash; block: Uint8Array }
  /** Write the state durably before carrying out the outputs after this one. */
  | { kind: 'persist'; state: PersistedConsensusState }
  /** `height` is final: store the block and its seals, then `startHeight(height + 1)`. */
  | { kind: 'decide'; decision: Decision }
  /** A validator signed two conflicting messages; see evidence.ts. */
  | { kind: 'evidence'; evidence: EquivocationEvidence }
  /** A metrics event; see metrics.ts. */
  | { kind: 'event'; event: ConsensusEvent };

/** One signed vote of an equivocation: the message's signed bytes and signature. */
export interface SignedVote {
  blockHash: Hash;
  /** The signed part of the message (codec `encodeSignedPart`), so anyone can re-check it. */
  signedPart: Uint8Array;
  signature: Uint8Array;
  /** For commits, the commit seal (a light client or the slashing module checks seals alone). */
  seal: Uint8Array | null;
}

/**
 * Two signed messages by one validator for the same chain, height, round and step over different
 * block hashes. Shaped after libs/dietcoin's `Evidence` (validator, chain, height, round, two
 * signatures over different hashes); `evidenceToSealEvidence` gives the seal pair for commits.
 */
export interface EquivocationEvidence {
  chainId: bigint;
  height: number;
  round: number;
  validator: Address;
  step: VoteStep;
  first: SignedVote;
  second: SignedVote;
}

/** Why a message was not used; the peer layer lowers the sender's score on `invalid`. */
export type MessageVerdict = 'accepted' | 'duplicate' | 'stale' | 'buffered' | 'invalid';

/** Metrics and diagnostics; the node maps them to Prometheus (see metrics.ts). */
export type ConsensusEvent =
  | { kind: 'heightStarted'; height: number; validators: number }
  | {
      kind: 'roundStarted';
      height: number;
      round: number;
      reason: 'height' | 'timeout' | 'roundChanges' | 'proposal' | 'restart';
    }
  | {
      kind: 'roundChange';
      height: number;
      fromRound: number;
      toRound: number;
      reason: 'timeout' | 'catchUp' | 'proposal';
    }
  | { kind: 'proposalAccepted'; height: number; round: number; proposer: Address; reproposed: boolean }
  | {
      kind: 'decided';
      height: number;
      round: number;
      rounds: number;
      sealers: readonly Address[];
      missing: readonly Address[];
    }
  /** Emitted by the driver, not the engine: the decided block is durable and served. */
  | { kind: 'decisionStored'; height: number; round: number; ms: number }
  | { kind: 'equivocation'; height: number; round: number; validator: Address; step: VoteStep }
  | { kind: 'messageRejected'; height: number; sender: Address; type: ConsensusMessageType; code: string }
  | { kind: 'behind'; height: number; peerHeight: number; peers: number };
