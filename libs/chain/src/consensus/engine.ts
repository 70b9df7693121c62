// The consensus state machine: QBFT / IBFT 2.0 (after Moniz, "The Istanbul BFT Consensus
// Algorithm", 2020) with a round synchronizer. Pure: inputs in, outputs out, no I/O, no clock, no
// randomness. See README.md for the protocol and its invariants; the comments here say why.
import { createMessageDigester, type MessageDigester, type UnsignedMessage } from './codec.js';
import { ConsensusError, isConsensusError } from './errors.js';
import { createEquivocationDetector, type EquivocationDetector, type EvidencePool } from './evidence.js';
import { hexBytesView, isAddress, shortHex } from './hex.js';
import { proposerOf } from './proposer.js';
import { exceedsFaultyPower, isQuorumPower } from './quorum.js';
import { sealDigest as dietcoinSealDigest, type SealDigester } from './seal.js';
import { resolveRoundTimeouts, roundTimeoutMs } from './timeouts.js';
import type {
  Address,
  CertificateMessage,
  CommitMessage,
  ConsensusEvent,
  ConsensusInput,
  ConsensusMessage,
  ConsensusOutput,
  Decision,
  Hash,
  Keccak256,
  MessageVerdict,
  PersistedConsensusState,
  PreparedCertificate,
  PrepareMessage,
  ProposalMessage,
  RoundChangeMessage,
  RoundTimeouts,
  Seal,
  SealVerifier,
  Signer,
  ValidatorSetView,
} from './types.js';

/** Bounds that keep a byzantine sender from growing the engine's memory. */
export interface ConsensusLimits {
  /** Messages for rounds above current + this are dropped (default 64). */
  futureRounds: number;
  /** Messages for heights above current + this are not buffered (default 4). */
  futureHeights: number;
  /** Buffered future-height messages per sender (default 64; the oldest go first). */
  bufferPerSender: number;
  /** Decisions kept to answer validators that are behind (default 64). */
  decisionsKept: number;
}

export const DEFAULT_CONSENSUS_LIMITS: ConsensusLimits = {
  futureRounds: 64,
  futureHeights: 4,
  bufferPerSender: 64,
  decisionsKept: 64,
};

export interface CreateConsensusEngineParameters {
  chainId: bigint;
  signer: Signer;
  verifier: SealVerifier;
  keccak256: Keccak256;
  /** The block hash of encoded block bytes (the node's header hash). Deterministic, never throws for any bytes. */
  hashBlock: (block: Uint8Array) => Hash;
  /** Seal digest; default libs/dietcoin's `sealDigest` (seal.ts), which needs `initDietcoin()` resolved. */
  sealDigest?: SealDigester;
  timeouts?: Partial<RoundTimeouts>;
  /** State persisted before a restart: resume its height one round later, keeping its lock. */
  resume?: PersistedConsensusState | null;
  /** Where found equivocations are kept (they are also returned as `evidence` outputs). */
  evidencePool?: EvidencePool;
  limits?: Partial<ConsensusLimits>;
  /**
   * The validator set of a height (validatorSchedule.ts): the set of height h + 1 is the one
   * block h announced through nextValidatorsHash. Null when that height's set is not fixed yet.
   * With it, `startHeight` and `rememberDecision` may omit their set, and messages of later
   * heights are checked against the set of their own height (a validator joining at the next
   * epoch is buffered, one leaving is not). Must be a pure function of the finalized chain.
   */
  validatorsAt?: (height: number) => ValidatorSetView | null;
}

/** What one input produced. */
export interface ConsensusStep {
  outputs: ConsensusOutput[];
  /** For a `message` input: what became of it (`invalid` lowers the peer's score). */
  verdict: MessageVerdict | null;
  /** For an `invalid` message: why. */
  rejection: ConsensusError | null;
}

/**
 * A validator's (or follower's) consensus state machine.
 * Contract for the driver: feed inputs one at a time; carry out each step's outputs in order
 * (write `persist` durably before the outputs after it); keep one timer and fire `timeout` with
 * the id of the last `setTimer`; answer `buildBlock` and `validateBlock`; after `decide`, store the
 * block and call `startHeight(height + 1)`.
 */
export interface ConsensusEngine {
  /**
   * Processes one input.
   * @throws ConsensusError INVALID_INPUT for a driver error (bad validator set, height going back);
   * invalid network messages never throw, they come back as `verdict: 'invalid'`.
   */
  step(input: ConsensusInput): ConsensusStep;
  readonly address: Address;
  /** Current height (0 before the first `startHeight`). */
  readonly height: number;
  readonly round: number;
  /** The lock: the highest prepared round of the current height and its prepare quorum. */
  readonly prepared: PreparedCertificate | null;
  /** A decision kept for answering peers that are behind. */
  decisionAt(height: number): Decision | undefined;
}

interface RoundState {
  proposal: ProposalMessage | null;
  prepares: Map<Address, PrepareMessage>;
  commits: Map<Address, CommitMessage>;
  roundChanges: Map<Address, RoundChangeMessage>;
  proposed: boolean;
  awaitingBlock: boolean;
  sentPrepare: boolean;
  sentCommit: boolean;
}

interface HeightState {
  height: number;
  validators: readonly Address[];
  members: Set<Address>;
  /** This node is in the height's set. A follower (not in it) signs nothing and only listens. */
  member: boolean;
  /** Voting power per validator and in all (one each unless the set carries powers). */
  power: Map<Address, bigint>;
  totalPower: bigint;
  round: number;
  /** False while a round above 0 waits for a quorum of round changes: the round timer starts only then. */
  timerStarted: boolean;
  timerId: number;
  prepared: PreparedCertificate | null;
  ownRoundChange: RoundChangeMessage | null;
  rounds: Map<number, RoundState>;
  blocks: Map<Hash, Uint8Array>;
  valid: Set<Hash>;
  invalid: Set<Hash>;
  pendingValidation: Set<Hash>;
  /** Highest round-change round per sender (for the f+1 catch-up rule). */
  highestRoundChange: Map<Address, number>;
  detector: EquivocationDetector;
  /** Seal digests of this height by `round:blockHash` (every commit of a round shares one). */
  sealDigests: Map<string, Uint8Array>;
  decided: boolean;
  solicited: boolean;
}

interface KeptDecision {
  decision: Decision;
  validators: readonly Address[];
  certificate: CertificateMessage | null;
}

class Engine implements ConsensusEngine {
  readonly address: Address;
  private readonly chainId: bigint;
  private readonly signer: Signer;
  private readonly verifier: SealVerifier;
  private readonly hashBlock: (block: Uint8Array) => Hash;
  private readonly sealDigest: SealDigester;
  private readonly messageDigest: MessageDigester;
  private readonly timeouts: RoundTimeouts;
  private readonly limits: ConsensusLimits;
  private readonly evidencePool: EvidencePool | undefined;
  private readonly validatorsAt: ((height: number) => ValidatorSetView | null) | undefined;
  private resume: PersistedConsensusState | null;
  private h: HeightState | null = null;
  private out: ConsensusOutput[] = [];
  private timerSeq = 0;
  private readonly decisions = new Map<number, KeptDecision>();
  private readonly future = new Map<Address, ConsensusMessage[]>();
  private readonly futureHeight = new Map<Address, number>();

  constructor(p: CreateConsensusEngineParameters) {
    if (!isAddress(p.signer.address)) {
      throw new ConsensusError(
        'INVALID_CONFIG',
        `signer address ${p.signer.address} is not a lower-case 0x address`,
      );
    }
    this.address = p.signer.address;
    this.chainId = p.chainId;
    this.signer = p.signer;
    this.verifier = p.verifier;
    this.hashBlock = p.hashBlock;
    this.sealDigest = p.sealDigest ?? dietcoinSealDigest;
    this.messageDigest = createMessageDigester(p.keccak256);
    this.timeouts = resolveRoundTimeouts(p.timeouts);
    this.limits = { ...DEFAULT_CONSENSUS_LIMITS, ...p.limits };
    this.evidencePool = p.evidencePool;
    this.validatorsAt = p.validatorsAt;
    this.resume = p.resume ?? null;
  }

  get height(): number {
    return this.h?.height ?? 0;
  }
  get round(): number {
    return this.h?.round ?? 0;
  }
  get prepared(): PreparedCertificate | null {
    return this.h?.prepared ?? null;
  }
  decisionAt(height: number): Decision | undefined {
    return this.decisions.get(height)?.decision;
  }

  step(input: ConsensusInput): ConsensusStep {
    this.out = [];
    let verdict: MessageVerdict | null = null;
    let rejection: ConsensusError | null = null;
    switch (input.kind) {
      case 'startHeight':
        this.startHeight(input.height, this.setOf(input.height, input.validators));
        break;
      case 'message':
        try {
          verdict = this.onMessage(input.message);
        } catch (e) {
          if (!isConsensusError(e)) throw e;
          verdict = 'invalid';
          rejection = e;
          this.event({
            kind: 'messageRejected',
            height: input.message.height,
            sender: input.message.sender,
            type: input.message.type,
            code: e.code,
          });
        }
        break;
      case 'timeout':
        this.onTimeout(input.timerId);
        break;
      case 'blockBuilt':
        this.onBlockBuilt(input.height, input.round, input.block);
        break;
      case 'blockValidated':
        this.onBlockValidated(input.height, input.blockHash, input.valid);
        break;
      case 'rememberDecision':
        this.keepDecision(input.decision, this.setOf(input.decision.height, input.validators).validators);
        break;
    }
    const outputs = this.out;
    this.out = [];
    return { outputs, verdict, rejection };
  }

  // -------------------------------------------------------------------------------------------
  // heights and rounds

  /** The set the driver gave for `height`, or the schedule's; both given must agree. */
  private setOf(height: number, given: ValidatorSetView | undefined): ValidatorSetView {
    const scheduled = this.validatorsAt?.(height) ?? null;
    if (given && scheduled && !sameSet(given, scheduled)) {
      throw new ConsensusError(
        'INVALID_INPUT',
        `validator set given for height ${height} differs from the schedule's (validatorsAt)`,
      );
    }
    const set = given ?? scheduled;
    if (!set) {
      throw new ConsensusError(
        'INVALID_INPUT',
        `no validator set for height ${height}: give one or a validatorsAt that knows it`,
      );
    }
    return set;
  }

  /** Senders allowed at `height`: its scheduled set when known, else the current one. */
  private membersAt(height: number): ReadonlySet<Address> {
    const h = this.h!;
    if (height === h.height || !this.validatorsAt) return h.members;
    const set = this.validatorsAt(height);
    return set ? new Set(set.validators) : h.members;
  }

  private startHeight(height: number, set: ValidatorSetView): void {
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new ConsensusError('INVALID_INPUT', `cannot start height ${height}: heights start at 1`);
    }
    if (this.h && height <= this.h.height) {
      throw new ConsensusError(
        'INVALID_INPUT',
        `cannot start height ${height} after height ${this.h.height}`,
      );
    }
    const validators = set.validators;
    if (validators.length === 0)
      throw new ConsensusError('INVALID_INPUT', `validator set of height ${height} is empty`);
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i]!;
      if (!isAddress(v))
        throw new ConsensusError('INVALID_INPUT', `validator ${v} is not a lower-case 0x address`);
      if (i > 0 && validators[i - 1]! >= v) {
        throw new ConsensusError(
          'INVALID_INPUT',
          `validator set of height ${height} is not strictly ascending at ${v}`,
        );
      }
    }
    const n = validators.length;
    const powers = set.powers ?? validators.map(() => 1n);
    if (powers.length !== n || powers.some((x) => typeof x !== 'bigint' || x <= 0n)) {
      throw new ConsensusError(
        'INVALID_INPUT',
        `validator set of height ${height} has powers that are not ${n} positive bigints`,
      );
    }
    this.h = {
      height,
      validators: [...validators],
      members: new Set(validators),
      member: validators.includes(this.address),
      power: new Map(validators.map((v, i) => [v, powers[i]!])),
      totalPower: powers.reduce((a, b) => a + b, 0n),
      round: 0,
      timerStarted: false,
      timerId: 0,
      prepared: null,
      ownRoundChange: null,
      rounds: new Map(),
      blocks: new Map(),
      valid: new Set(),
      invalid: new Set(),
      pendingValidation: new Set(),
      highestRoundChange: new Map(),
      detector: createEquivocationDetector(),
      sealDigests: new Map(),
      decided: false,
      solicited: false,
    };
    this.event({ kind: 'heightStarted', height, validators: n });
    const resume = this.resume;
    this.resume = null;
    if (resume && resume.height === height) {
      // A restarted validator may have voted in its persisted round: it never votes there again.
      this.h.prepared = resume.prepared;
      if (resume.prepared) this.h.blocks.set(resume.prepared.blockHash, resume.prepared.block);
      this.enterRound(resume.round + 1, 'restart');
    } else {
      this.persist();
      this.startRoundTimer('height');
      if (this.isProposer(0)) this.requestBlock();
    }
    this.replayFuture();
    this.checkBehind();
  }

  private roundState(round: number): RoundState {
    const h = this.h!;
    let rs = h.rounds.get(round);
    if (!rs) {
      rs = {
        proposal: null,
        prepares: new Map(),
        commits: new Map(),
        roundChanges: new Map(),
        proposed: false,
        awaitingBlock: false,
        sentPrepare: false,
        sentCommit: false,
      };
      h.rounds.set(round, rs);
    }
    return rs;
  }

  /** More than 2/3 of the voting power among distinct `senders`. */
  private isQuorum(senders: Iterable<Address>): boolean {
    const h = this.h!;
    return isQuorumPower(this.powerOf(senders), h.totalPower);
  }

  private powerOf(senders: Iterable<Address>): bigint {
    const h = this.h!;
    let sum = 0n;
    for (const s of new Set(senders)) sum += h.power.get(s) ?? 0n;
    return sum;
  }

  /**
   * The highest value v such that validators holding more than the faulty power are at v or above
   * (so at least one honest validator is); null when no such set exists.
   */
  private honestFloor(values: Map<Address, number>, above: number): number | null {
    const h = this.h!;
    const entries = [...values.entries()]
      .filter(([s, v]) => v > above && h.power.has(s))
      .sort((a, b) => b[1] - a[1]);
    let sum = 0n;
    for (const [sender, value] of entries) {
      sum += h.power.get(sender)!;
      if (exceedsFaultyPower(sum, h.totalPower)) return value;
    }
    return null;
  }

  private isProposer(round: number): boolean {
    const h = this.h!;
    return proposerOf(h.validators, h.height, round) === this.address;
  }

  private persist(): void {
    const h = this.h!;
    this.out.push({ kind: 'persist', state: { height: h.height, round: h.round, prepared: h.prepared } });
  }

  private setTimer(): void {
    const h = this.h!;
    h.timerId = ++this.timerSeq;
    this.out.push({
      kind: 'setTimer',
      timerId: h.timerId,
      height: h.height,
      round: h.round,
      afterMs: roundTimeoutMs(this.timeouts, h.round),
    });
  }

  private startRoundTimer(reason: Extract<ConsensusEvent, { kind: 'roundStarted' }>['reason']): void {
    const h = this.h!;
    h.timerStarted = true;
    this.setTimer();
    this.event({ kind: 'roundStarted', height: h.height, round: h.round, reason });
  }

  /**
   * Moves to `round` (above the current one): persist it before anything is signed in it, then
   * broadcast a round change carrying the lock. The round's timer waits for a quorum of round
   * changes; until then the round change is re-sent on a timer of the same length.
   */
  private enterRound(round: number, reason: 'timeout' | 'catchUp' | 'proposal' | 'restart'): void {
    const h = this.h!;
    const from = h.round;
    h.round = round;
    h.timerStarted = false;
    this.persist();
    if (reason !== 'restart') {
      this.event({ kind: 'roundChange', height: h.height, fromRound: from, toRound: round, reason });
    } else {
      this.event({ kind: 'roundStarted', height: h.height, round, reason: 'restart' });
    }
    // A follower's round change would be refused (NOT_A_VALIDATOR): it follows rounds silently.
    if (!h.member) return;
    const p = h.prepared;
    const rc = this.sign<RoundChangeMessage>({
      type: 'roundChange',
      chainId: this.chainId,
      height: h.height,
      round,
      sender: this.address,
      prepared: p ? { round: p.round, blockHash: p.blockHash } : null,
      certificate: p ? { block: p.block, prepares: p.prepares } : null,
    });
    h.ownRoundChange = rc;
    this.broadcast(rc);
    this.setTimer();
    this.onRoundChange(rc, true);
  }

  private onTimeout(timerId: number): void {
    const h = this.h;
    if (!h || h.decided || timerId !== h.timerId) return;
    // A follower never moves rounds on its own clock: it could leave behind the round the
    // validators decide in, and it learns the outcome from their commits (or block sync).
    if (!h.member) return;
    if (h.timerStarted) {
      this.enterRound(h.round + 1, 'timeout');
    } else if (h.ownRoundChange) {
      // A whole round went by without a quorum for ours. If another validator asked for a later
      // round, honest validators are split between rounds (lost messages, a restart one round
      // up) and none of the groups can reach a quorum alone: join the lowest later round.
      // Otherwise messages may have been lost before stabilization: say it again.
      let next = Number.POSITIVE_INFINITY;
      for (const [sender, round] of h.highestRoundChange) {
        if (sender !== this.address && round > h.round && round < next) next = round;
      }
      if (next !== Number.POSITIVE_INFINITY) {
        this.enterRound(next, 'catchUp');
        return;
      }
      this.broadcast(h.ownRoundChange);
      this.setTimer();
    }
  }

  // -------------------------------------------------------------------------------------------
  // messages

  private sign<M extends ConsensusMessage>(unsigned: UnsignedMessage<M>): M {
    const digest = this.messageDigest(unsigned);
    const signed = { ...unsigned, signature: this.signer.sign(digest) } as unknown as M;
    this.messageDigest.remember(signed as UnsignedMessage, digest);
    return signed;
  }

  private broadcast(message: ConsensusMessage): void {
    this.out.push({ kind: 'broadcast', message });
  }

  private event(event: ConsensusEvent): void {
    this.out.push({ kind: 'event', event });
  }

  private verifySignature(m: ConsensusMessage): void {
    if (!this.verifier.verify(this.messageDigest(m), m.signature, m.sender)) {
      throw new ConsensusError(
        'BAD_SIGNATURE',
        `${m.type} for height ${m.height} round ${m.round} is not signed by ${shortHex(m.sender)}`,
      );
    }
  }

  private onMessage(m: ConsensusMessage): MessageVerdict {
    if (m.chainId !== this.chainId) {
      throw new ConsensusError(
        'WRONG_CHAIN',
        `${m.type} from ${shortHex(m.sender)} is for chain ${m.chainId}, not ${this.chainId}`,
      );
    }
    const h = this.h;
    if (!h) return 'stale';
    if (m.sender === this.address) return 'duplicate';
    if (m.height < h.height || (m.height === h.height && h.decided)) return this.onPastMessage(m);
    if (m.height > h.height) return this.onFutureMessage(m);
    if (!h.members.has(m.sender)) {
      throw new ConsensusError(
        'NOT_A_VALIDATOR',
        `${shortHex(m.sender)} is not a validator of height ${h.height}`,
      );
    }
    this.verifySignature(m);
    switch (m.type) {
      case 'proposal':
        return this.onProposal(m, false);
      case 'prepare':
        return this.onPrepare(m);
      case 'commit':
        return this.onCommit(m, false);
      case 'roundChange':
        return this.onRoundChange(m, false);
      case 'certificate':
        return this.onCertificate(m);
    }
  }

  /** A validator behind us asks for a round: answer with the decision's certificate. */
  private onPastMessage(m: ConsensusMessage): MessageVerdict {
    if (m.type !== 'roundChange') return 'stale';
    const kept = this.decisions.get(m.height);
    if (kept === undefined) return 'stale';
    if (!kept.validators.includes(m.sender)) return 'stale';
    // Only a sealer's certificate is admitted (the asker checks the sender's membership).
    if (!kept.validators.includes(this.address)) return 'stale';
    this.verifySignature(m);
    const d = kept.decision;
    kept.certificate ??= this.sign<CertificateMessage>({
      type: 'certificate',
      chainId: this.chainId,
      height: d.height,
      round: d.round,
      sender: this.address,
      blockHash: d.blockHash,
      block: d.block,
      seals: d.seals,
    });
    this.out.push({ kind: 'send', to: m.sender, message: kept.certificate });
    return 'stale';
  }

  private onFutureMessage(m: ConsensusMessage): MessageVerdict {
    const h = this.h!;
    // Senders of that height's set are buffered (the current set's when the schedule does not know it yet).
    if (!this.membersAt(m.height).has(m.sender)) return 'stale';
    this.verifySignature(m);
    const seen = this.futureHeight.get(m.sender) ?? 0;
    if (m.height > seen) this.futureHeight.set(m.sender, m.height);
    if (m.height <= h.height + this.limits.futureHeights) {
      let queue = this.future.get(m.sender);
      if (!queue) {
        queue = [];
        this.future.set(m.sender, queue);
      }
      queue.push(m);
      if (queue.length > this.limits.bufferPerSender) queue.shift();
    }
    this.checkBehind();
    return 'buffered';
  }

  private replayFuture(): void {
    const h = this.h!;
    for (const [sender, queue] of this.future) {
      const now = queue.filter((m) => m.height === h.height);
      const later = queue.filter((m) => m.height > h.height);
      if (later.length === 0) this.future.delete(sender);
      else this.future.set(sender, later);
      for (const m of now) {
        try {
          this.onMessage(m);
        } catch (e) {
          if (!isConsensusError(e)) throw e;
        }
      }
    }
    for (const [sender, height] of this.futureHeight)
      if (height <= h.height) this.futureHeight.delete(sender);
  }

  /** Validators with more than the faulty power are at later heights: report it (block sync) and ask for certificates. */
  private checkBehind(): void {
    const h = this.h!;
    if (h.solicited || h.decided) return;
    const peerHeight = this.honestFloor(this.futureHeight, h.height);
    if (peerHeight === null) return;
    h.solicited = true;
    const peers = [...this.futureHeight.values()].filter((x) => x > h.height).length;
    this.event({ kind: 'behind', height: h.height, peerHeight, peers });
    // A round change at this height makes those ahead answer with the decision's certificate.
    // A follower cannot ask (its round change would be refused): block sync brings it along.
    if (!h.member) return;
    if (h.round === 0) this.enterRound(1, 'catchUp');
    else if (h.ownRoundChange) this.broadcast(h.ownRoundChange);
  }

  // -------------------------------------------------------------------------------------------
  // proposal

  private requestBlock(): void {
    const h = this.h!;
    const rs = this.roundState(h.round);
    if (rs.proposed || rs.awaitingBlock) return;
    rs.awaitingBlock = true;
    this.out.push({ kind: 'buildBlock', height: h.height, round: h.round });
  }

  private onBlockBuilt(height: number, round: number, block: Uint8Array): void {
    const h = this.h;
    if (!h || h.decided || h.height !== height || h.round !== round || !this.isProposer(round)) return;
    const rs = this.roundState(round);
    if (rs.proposed) return;
    const hash = this.hashBlock(block);
    h.valid.add(hash);
    if (round === 0) {
      this.propose(hash, block, [], []);
      return;
    }
    if (!this.isQuorum(rs.roundChanges.keys())) return;
    // The lock may have arrived while the block was built: a prepared block always wins.
    const best = this.highestPrepared(rs);
    if (best?.prepared && best.certificate) {
      this.propose(
        best.prepared.blockHash,
        best.certificate.block,
        [...rs.roundChanges.values()],
        best.certificate.prepares,
      );
    } else {
      this.propose(hash, block, [...rs.roundChanges.values()], []);
    }
  }

  private highestPrepared(rs: RoundState): RoundChangeMessage | null {
    let best: RoundChangeMessage | null = null;
    for (const rc of rs.roundChanges.values()) {
      if (rc.prepared && (!best?.prepared || rc.prepared.round > best.prepared.round)) best = rc;
    }
    return best;
  }

  private propose(
    blockHash: Hash,
    block: Uint8Array,
    roundChanges: readonly RoundChangeMessage[],
    prepares: readonly PrepareMessage[],
  ): void {
    const h = this.h!;
    const rs = this.roundState(h.round);
    rs.proposed = true;
    rs.awaitingBlock = false;
    const proposal = this.sign<ProposalMessage>({
      type: 'proposal',
      chainId: this.chainId,
      height: h.height,
      round: h.round,
      sender: this.address,
      blockHash,
      block,
      justification: {
        // Embedded round changes travel without their certificates: only the highest one matters.
        roundChanges: roundChanges.map((rc) => ({ ...rc, certificate: null })),
        prepares,
      },
    });
    this.broadcast(proposal);
    this.onProposal(proposal, true);
  }

  private onProposal(m: ProposalMessage, own: boolean): MessageVerdict {
    const h = this.h!;
    this.observeVote(m);
    if (m.sender !== proposerOf(h.validators, h.height, m.round)) {
      throw new ConsensusError(
        'WRONG_PROPOSER',
        `${shortHex(m.sender)} is not the proposer of height ${h.height} round ${m.round}`,
      );
    }
    if (this.hashBlock(m.block) !== m.blockHash) {
      throw new ConsensusError(
        'BLOCK_HASH_MISMATCH',
        `proposal for height ${h.height} round ${m.round} names ${shortHex(m.blockHash)} but carries another block`,
      );
    }
    if (m.round < h.round && !h.member) {
      // A follower may have followed a justified proposal past the round that decides: keep the
      // block (it hashes right and the proposer signed it) so those commits can complete.
      this.learnBlock(m.blockHash, m.block);
      return 'stale';
    }
    if (m.round < h.round || m.round > h.round + this.limits.futureRounds) return 'stale';
    const rs = this.roundState(m.round);
    if (rs.proposal) return 'duplicate';
    if (m.round === 0) {
      if (m.justification.roundChanges.length > 0 || m.justification.prepares.length > 0) {
        throw new ConsensusError(
          'INVALID_JUSTIFICATION',
          `proposal for height ${h.height} round 0 carries a justification`,
        );
      }
    } else if (!own) {
      this.verifyJustification(m);
    }
    rs.proposal = m;
    this.learnBlock(m.blockHash, m.block);
    // A justified proposal proves a quorum moved to its round: follow it there.
    if (m.round > h.round) this.enterRound(m.round, 'proposal');
    if (!h.timerStarted) this.startRoundTimer('proposal');
    this.event({
      kind: 'proposalAccepted',
      height: h.height,
      round: m.round,
      proposer: m.sender,
      reproposed: m.justification.prepares.length > 0,
    });
    this.considerProposal();
    return 'accepted';
  }

  /**
   * A proposal above round 0 needs a quorum of round changes to its round and, when any of them
   * is prepared, the prepare quorum of the highest prepared round, whose block it must propose.
   * This is what makes a lock binding: a block committed in round r was prepared by a quorum,
   * which meets every later round-change quorum in an honest validator reporting it.
   */
  private verifyJustification(m: ProposalMessage): void {
    const h = this.h!;
    const fail = (why: string): never => {
      throw new ConsensusError(
        'INVALID_JUSTIFICATION',
        `proposal for height ${h.height} round ${m.round} ${why}`,
      );
    };
    const senders = new Set<Address>();
    let highest: { round: number; blockHash: Hash } | null = null;
    for (const rc of m.justification.roundChanges) {
      if (rc.round !== m.round || rc.height !== h.height) fail(`embeds a round change to round ${rc.round}`);
      if (!h.members.has(rc.sender)) fail(`embeds a round change by non-validator ${shortHex(rc.sender)}`);
      if (senders.has(rc.sender)) fail(`embeds two round changes by ${shortHex(rc.sender)}`);
      try {
        this.verifySignature(rc);
      } catch {
        fail(`embeds a round change not signed by ${shortHex(rc.sender)}`);
      }
      senders.add(rc.sender);
      if (rc.prepared && (!highest || rc.prepared.round > highest.round)) highest = rc.prepared;
    }
    if (!this.isQuorum(senders))
      fail(`is justified by round changes of ${senders.size} validators, not more than 2/3 of the power`);
    if (!highest) {
      if (m.justification.prepares.length > 0) fail('carries prepares but no round change is prepared');
      return;
    }
    const top = highest.round;
    const reproposes = m.justification.roundChanges.some(
      (rc) => rc.prepared?.round === top && rc.prepared.blockHash === m.blockHash,
    );
    if (!reproposes) fail(`does not re-propose the block prepared in round ${top}`);
    if (!this.isPrepareQuorum(m.justification.prepares, top, m.blockHash)) {
      fail(`lacks a prepare quorum for ${shortHex(m.blockHash)} in round ${top}`);
    }
  }

  /** True when `prepares` hold a quorum of valid, distinct prepares for `blockHash` in `round`. */
  private isPrepareQuorum(prepares: readonly PrepareMessage[], round: number, blockHash: Hash): boolean {
    const h = this.h!;
    const senders = new Set<Address>();
    for (const p of prepares) {
      if (p.type !== 'prepare' || p.height !== h.height || p.round !== round || p.blockHash !== blockHash)
        return false;
      if (p.chainId !== this.chainId || !h.members.has(p.sender) || senders.has(p.sender)) return false;
      if (!this.verifier.verify(this.messageDigest(p), p.signature, p.sender)) return false;
      senders.add(p.sender);
      this.observeVote(p);
    }
    return this.isQuorum(senders);
  }

  private considerProposal(): void {
    const h = this.h!;
    const rs = this.roundState(h.round);
    const p = rs.proposal;
    if (!h.member || !p || rs.sentPrepare || h.invalid.has(p.blockHash)) return;
    if (h.valid.has(p.blockHash)) {
      this.sendPrepare(p.blockHash);
      return;
    }
    if (h.pendingValidation.has(p.blockHash)) return;
    h.pendingValidation.add(p.blockHash);
    this.out.push({
      kind: 'validateBlock',
      height: h.height,
      round: p.round,
      blockHash: p.blockHash,
      block: p.block,
    });
  }

  private onBlockValidated(height: number, blockHash: Hash, valid: boolean): void {
    const h = this.h;
    if (!h || h.height !== height || h.decided) return;
    h.pendingValidation.delete(blockHash);
    (valid ? h.valid : h.invalid).add(blockHash);
    this.considerProposal();
    this.checkPrepareQuorum();
  }

  // -------------------------------------------------------------------------------------------
  // prepare and commit

  private sendPrepare(blockHash: Hash): void {
    const h = this.h!;
    const rs = this.roundState(h.round);
    rs.sentPrepare = true;
    const prepare = this.sign<PrepareMessage>({
      type: 'prepare',
      chainId: this.chainId,
      height: h.height,
      round: h.round,
      sender: this.address,
      blockHash,
    });
    this.broadcast(prepare);
    this.onPrepare(prepare);
  }

  private onPrepare(m: PrepareMessage): MessageVerdict {
    const h = this.h!;
    this.observeVote(m);
    if (m.round < h.round || m.round > h.round + this.limits.futureRounds) return 'stale';
    const rs = this.roundState(m.round);
    if (rs.prepares.has(m.sender)) return 'duplicate';
    rs.prepares.set(m.sender, m);
    if (m.round === h.round) this.checkPrepareQuorum();
    return 'accepted';
  }

  /** Quorum of prepares for the accepted (and valid) proposal of the round: lock, then commit. */
  private checkPrepareQuorum(): void {
    const h = this.h!;
    const rs = this.roundState(h.round);
    const p = rs.proposal;
    if (!h.member || !p || rs.sentCommit || !h.valid.has(p.blockHash)) return;
    const matching = [...rs.prepares.values()].filter((x) => x.blockHash === p.blockHash);
    if (!this.isQuorum(matching.map((x) => x.sender))) return;
    rs.sentCommit = true;
    h.prepared = { round: h.round, blockHash: p.blockHash, block: p.block, prepares: matching };
    this.persist();
    const seal = this.signer.sign(this.sealDigestOf(h.round, p.blockHash));
    const commit = this.sign<CommitMessage>({
      type: 'commit',
      chainId: this.chainId,
      height: h.height,
      round: h.round,
      sender: this.address,
      blockHash: p.blockHash,
      seal,
    });
    this.broadcast(commit);
    this.onCommit(commit, true);
  }

  private onCommit(m: CommitMessage, own: boolean): MessageVerdict {
    const h = this.h!;
    if (!own) {
      if (!this.verifier.verify(this.sealDigestOf(m.round, m.blockHash), m.seal, m.sender)) {
        throw new ConsensusError(
          'INVALID_SEAL',
          `commit seal of ${shortHex(m.sender)} for height ${h.height} round ${m.round} does not verify`,
        );
      }
    }
    this.observeVote(m);
    if (m.round > h.round + this.limits.futureRounds) return 'stale';
    const rs = this.roundState(m.round);
    if (rs.commits.has(m.sender)) return 'duplicate';
    rs.commits.set(m.sender, m);
    this.checkCommitQuorum(m.round, m.blockHash);
    return 'accepted';
  }

  private learnBlock(blockHash: Hash, block: Uint8Array): void {
    const h = this.h!;
    if (h.blocks.has(blockHash)) return;
    h.blocks.set(blockHash, block);
    for (const round of h.rounds.keys()) this.checkCommitQuorum(round, blockHash);
  }

  /** Commits of any round count: a quorum of seals on a block is final whatever round we are in. */
  private checkCommitQuorum(round: number, blockHash: Hash): void {
    const h = this.h!;
    if (h.decided) return;
    const rs = h.rounds.get(round);
    if (!rs) return;
    const commits = [...rs.commits.values()].filter((c) => c.blockHash === blockHash);
    if (!this.isQuorum(commits.map((c) => c.sender))) return;
    const block = h.blocks.get(blockHash);
    if (!block) return; // decided once the block arrives (proposal, round change or certificate)
    this.decide(
      round,
      blockHash,
      block,
      commits.map((c) => ({ validator: c.sender, signature: c.seal })),
    );
  }

  private decide(round: number, blockHash: Hash, block: Uint8Array, seals: Seal[]): void {
    const h = this.h!;
    h.decided = true;
    const sorted = [...seals].sort((a, b) => (a.validator < b.validator ? -1 : 1));
    const decision: Decision = { height: h.height, round, blockHash, block, seals: sorted };
    this.keepDecision(decision, h.validators);
    const sealers = new Set(sorted.map((s) => s.validator));
    // The event first: the block is final once the commit quorum exists; storing it (the driver
    // awaits `decide`'s write before it reads the next output) is reported on its own.
    this.event({
      kind: 'decided',
      height: h.height,
      round,
      rounds: h.round + 1,
      sealers: [...sealers],
      missing: h.validators.filter((v) => !sealers.has(v)),
    });
    this.out.push({ kind: 'decide', decision });
  }

  private keepDecision(decision: Decision, validators: readonly Address[]): void {
    this.decisions.set(decision.height, { decision, validators: [...validators], certificate: null });
    const top = Math.max(...this.decisions.keys());
    for (const height of this.decisions.keys()) {
      if (height <= top - this.limits.decisionsKept) this.decisions.delete(height);
    }
  }

  private sealDigestOf(round: number, blockHash: Hash): Uint8Array {
    const h = this.h!;
    const key = `${round}:${blockHash}`;
    let digest = h.sealDigests.get(key);
    if (!digest) {
      digest = this.sealDigest({
        chainId: this.chainId,
        height: h.height,
        round,
        blockHash: hexBytesView(blockHash, 32),
      });
      if (h.sealDigests.size < 4 * (this.limits.futureRounds + 1)) h.sealDigests.set(key, digest);
    }
    return digest;
  }

  private onCertificate(m: CertificateMessage): MessageVerdict {
    const h = this.h!;
    if (this.hashBlock(m.block) !== m.blockHash) {
      throw new ConsensusError(
        'BLOCK_HASH_MISMATCH',
        `certificate for height ${h.height} names ${shortHex(m.blockHash)} but carries another block`,
      );
    }
    const digest = this.sealDigestOf(m.round, m.blockHash);
    const good: Seal[] = [];
    const seen = new Set<Address>();
    for (const s of m.seals) {
      if (!h.members.has(s.validator) || seen.has(s.validator)) continue;
      if (!this.verifier.verify(digest, s.signature, s.validator)) continue;
      seen.add(s.validator);
      good.push(s);
    }
    if (!this.isQuorum(good.map((x) => x.validator))) {
      throw new ConsensusError(
        'INVALID_CERTIFICATE',
        `certificate for height ${h.height} has ${good.length} valid seals, not more than 2/3 of the power`,
      );
    }
    this.decide(m.round, m.blockHash, m.block, good);
    return 'accepted';
  }

  // -------------------------------------------------------------------------------------------
  // round changes

  private onRoundChange(m: RoundChangeMessage, own: boolean): MessageVerdict {
    const h = this.h!;
    if (m.round === 0 || m.round > h.round + this.limits.futureRounds) return 'stale';
    if (m.round < h.round) return 'stale';
    if (m.prepared && !own) {
      const cert = m.certificate;
      const what = `round change of ${shortHex(m.sender)} to round ${m.round}`;
      if (!cert)
        throw new ConsensusError('INVALID_CERTIFICATE', `${what} is prepared but carries no certificate`);
      if (this.hashBlock(cert.block) !== m.prepared.blockHash) {
        throw new ConsensusError(
          'BLOCK_HASH_MISMATCH',
          `${what} carries a block that is not ${shortHex(m.prepared.blockHash)}`,
        );
      }
      if (!this.isPrepareQuorum(cert.prepares, m.prepared.round, m.prepared.blockHash)) {
        throw new ConsensusError(
          'INVALID_CERTIFICATE',
          `${what} lacks a prepare quorum for round ${m.prepared.round}`,
        );
      }
    }
    const rs = this.roundState(m.round);
    if (rs.roundChanges.has(m.sender)) return 'duplicate';
    rs.roundChanges.set(m.sender, m);
    if ((h.highestRoundChange.get(m.sender) ?? 0) < m.round) h.highestRoundChange.set(m.sender, m.round);
    if (m.prepared && m.certificate) this.learnBlock(m.prepared.blockHash, m.certificate.block);
    if (h.decided) return 'accepted';
    if (m.round > h.round) this.checkCatchUp();
    if (m.round === h.round) this.checkRoundChangeQuorum();
    return 'accepted';
  }

  /** Validators with more than the faulty power (f+1 by count) asked for later rounds, so an honest one did: join the lowest round they all reached. */
  private checkCatchUp(): void {
    const h = this.h!;
    const target = this.honestFloor(h.highestRoundChange, h.round);
    if (target !== null && target > h.round) this.enterRound(target, 'catchUp');
  }

  private checkRoundChangeQuorum(): void {
    const h = this.h!;
    if (h.round === 0 || h.decided) return;
    const rs = this.roundState(h.round);
    if (!this.isQuorum(rs.roundChanges.keys())) return;
    if (!h.timerStarted) this.startRoundTimer('roundChanges');
    if (!this.isProposer(h.round) || rs.proposed || rs.awaitingBlock) return;
    const best = this.highestPrepared(rs);
    if (best?.prepared && best.certificate) {
      this.propose(
        best.prepared.blockHash,
        best.certificate.block,
        [...rs.roundChanges.values()],
        best.certificate.prepares,
      );
    } else {
      this.requestBlock();
    }
  }

  private observeVote(m: ProposalMessage | PrepareMessage | CommitMessage): void {
    const evidence = this.h!.detector.observe(m);
    if (!evidence) return;
    this.evidencePool?.add(evidence);
    this.out.push({ kind: 'evidence', evidence });
    this.event({ kind: 'equivocation', height: m.height, round: m.round, validator: m.sender, step: m.type });
  }
}

function sameSet(a: ValidatorSetView, b: ValidatorSetView): boolean {
  const n = a.validators.length;
  if (b.validators.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if (a.validators[i] !== b.validators[i]) return false;
    if ((a.powers?.[i] ?? 1n) !== (b.powers?.[i] ?? 1n)) return false;
  }
  return true;
}

/**
 * Creates a consensus engine for one validator.
 * @throws ConsensusError INVALID_CONFIG on a bad signer address or bad timeouts.
 * @example
 * const engine = createConsensusEngine({ chainId: 7n, signer, verifier, keccak256, hashBlock });
 * const { outputs } = engine.step({ kind: 'startHeight', height: 1, validators: { validators } });
 */
export function createConsensusEngine(parameters: CreateConsensusEngineParameters): ConsensusEngine {
  return new Engine(parameters);
}
