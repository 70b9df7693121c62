// HeaderChain: the header-only light client of one Khipu chain.
//
// It starts from a trusted checkpoint (a header and its validator set) and accepts later headers:
//   - sequentially: the next height, linked to the head by parentHash, sealed by > 2/3 of the set;
//   - by skipping: any later header of the same epoch as head + 1, sealed by > 2/3 of that epoch's
//     set (within an epoch the set cannot change, so one sealed header proves itself);
//   - as a linked segment: headers head+1 … end whose parent links end at a sealed header (what a
//     Dietcoin client does: every link checked, seals where the set changes and at the head).
// Validator-set changes are followed through nextValidatorsHash, which may differ from
// validatorsHash only on the last block of an epoch (the change is announced one block ahead).
// A checkpoint is trusted for a trusting period shorter than the unbonding delay: the client
// refuses to extend a head older than that. Two quorum-sealed headers at one height freeze the
// client and yield a Misbehaviour carrying the equivocation evidence.
import { bytesToHex, equalBytes } from '../encoding/bytes.js';
import { DietcoinError, shortHex } from '../errors.js';
import { type DecodedHeader, decodeHeader, type HeaderLink, scanHeader } from '../header/header.js';
import { decodeSealedHeader, type SealedHeader } from '../header/sealedHeader.js';
import {
  decodeMessageProof,
  type VerifyMessageProofReturnType,
  verifyMessageProof,
} from '../message/messageProof.js';
import {
  decodeShardProof,
  type VerifyShardProofReturnType,
  verifyShardProof,
} from '../message/shardProof.js';
import { type Evidence, findEvidence } from '../seal/evidence.js';
import { decodeValidatorSet, type QuorumRule, type ValidatorSet } from '../seal/validatorSet.js';
import { verifySeals } from '../seal/verifySeals.js';
import type { HeaderSource } from '../source/headerSource.js';
import type { Account } from '../state/account.js';
import { decodeAccountProof, verifyAccountProof } from '../state/accountProof.js';
import { decodeStateShardProof, verifyStateShardProof } from '../state/stateShardProof.js';
import { recordOfHeader, type VerifiedHeaderRecord } from './record.js';
import type { HeaderStore, LightClientState } from './store.js';

/** Two headers at one height, each sealed by a quorum: the chain's validators misbehaved. */
export interface Misbehaviour {
  height: number;
  /** The header the client had accepted (its seals when the client still held them). */
  trusted: { hash: Uint8Array; sealed?: SealedHeader };
  conflicting: SealedHeader;
  /** Validators that sealed both in the same round. Empty when the two quorums used different rounds. */
  evidence: Evidence[];
}

export type SyncMode = 'sequential' | 'skipping' | 'fullChain';

export interface SyncProgress {
  mode: SyncMode;
  /** Newest verified height. */
  height: number;
  target: number;
  headersVerified: number;
  sealChecks: number;
  elapsedSeconds: number;
}

export interface SyncReport {
  head: VerifiedHeaderRecord;
  headersVerified: number;
  sealChecks: number;
  recordsStored: number;
  seconds: number;
}

export interface HeaderChainRules {
  chainId: bigint;
  quorum: QuorumRule;
  /** The set may change only at multiples of this height. */
  epochLength: number;
  /** How long after a trusted header's timestamp it may still be extended; below the unbonding delay. */
  trustingPeriodSeconds: number;
  /** Tolerance for headers stamped ahead of the local clock. Default 15. */
  maxClockDriftSeconds?: number;
  /** Wall clock in seconds; default Date.now() / 1000. */
  now?: () => number;
  /** How many sealed headers the client keeps to build evidence from. Default 1024. */
  keepSealed?: number;
}

export interface Checkpoint {
  /** Header RLP of the trusted block. */
  header: Uint8Array;
  /** Its validator set (validatorsHash). */
  validators: ValidatorSet;
  /** The set of the next block when the checkpoint announces a change. */
  nextValidators?: ValidatorSet;
}

export interface CreateHeaderChainParameters extends HeaderChainRules {
  checkpoint: Checkpoint;
  store: HeaderStore;
}

export interface OpenHeaderChainParameters extends HeaderChainRules {
  store: HeaderStore;
}

const DEFAULT_DRIFT = 15;

/**
 * Starts a light client from a trusted checkpoint and records it in the store.
 * @throws DietcoinError WRONG_VALIDATOR_SET, TRUST_EXPIRED or a header decoding code.
 */
export async function createHeaderChain(p: CreateHeaderChainParameters): Promise<HeaderChain> {
  const header = decodeHeader(p.checkpoint.header);
  const h = header.header;
  if (!equalBytes(h.extra.validatorsHash, p.checkpoint.validators.hash)) {
    throw new DietcoinError(
      'WRONG_VALIDATOR_SET',
      `checkpoint ${h.number} names validator set ${shortHex(h.extra.validatorsHash)}, given ${shortHex(p.checkpoint.validators.hash)}`,
    );
  }
  let next = p.checkpoint.validators;
  if (!equalBytes(h.extra.nextValidatorsHash, h.extra.validatorsHash)) {
    next = p.checkpoint.nextValidators ?? next;
    if (!equalBytes(next.hash, h.extra.nextValidatorsHash)) {
      throw new DietcoinError(
        'WRONG_VALIDATOR_SET',
        `checkpoint ${h.number} announces a set that was not given`,
      );
    }
  }
  const chain = new HeaderChain(p, recordOfHeader(header, false), next, {
    head: h.number,
    checkpoint: h.number,
    frozen: false,
  });
  chain.checkTrusted();
  const sets = next === p.checkpoint.validators ? [next] : [p.checkpoint.validators, next];
  await p.store.write({ records: [chain.head], validatorSets: sets, state: chain.state });
  return chain;
}

/**
 * Reopens a light client from its store.
 * @throws DietcoinError UNKNOWN_HEADER when the store holds no light-client state.
 */
export function openHeaderChain(p: OpenHeaderChainParameters): HeaderChain {
  const state = p.store.readState();
  const head = state && p.store.getRecord(state.head);
  const next = head && p.store.getValidatorSet(head.nextValidatorsHash);
  if (!state || !head || !next)
    throw new DietcoinError('UNKNOWN_HEADER', 'the store holds no light-client state');
  return new HeaderChain(p, head, next, state);
}

export class HeaderChain {
  private readonly rules: Required<Omit<HeaderChainRules, 'keepSealed'>> & { keepSealed: number };
  private readonly store: HeaderStore;
  private headRecord: VerifiedHeaderRecord;
  /** The set that seals head + 1 (hash = head.nextValidatorsHash). */
  private nextSet: ValidatorSet;
  private lightState: LightClientState;
  private readonly recentSealed = new Map<number, SealedHeader>();
  private misbehaviourSeen: Misbehaviour | undefined;

  /** Use `createHeaderChain` or `openHeaderChain`. */
  constructor(
    rules: HeaderChainRules & { store: HeaderStore },
    head: VerifiedHeaderRecord,
    next: ValidatorSet,
    state: LightClientState,
  ) {
    if (!Number.isSafeInteger(rules.epochLength) || rules.epochLength < 1)
      throw new RangeError('epochLength must be ≥ 1');
    this.rules = {
      chainId: rules.chainId,
      quorum: rules.quorum,
      epochLength: rules.epochLength,
      trustingPeriodSeconds: rules.trustingPeriodSeconds,
      maxClockDriftSeconds: rules.maxClockDriftSeconds ?? DEFAULT_DRIFT,
      now: rules.now ?? (() => Date.now() / 1000),
      keepSealed: rules.keepSealed ?? 1024,
    };
    this.store = rules.store;
    this.headRecord = head;
    this.nextSet = next;
    this.lightState = state;
  }

  /** The newest verified header. */
  get head(): VerifiedHeaderRecord {
    return this.headRecord;
  }

  get state(): LightClientState {
    return { ...this.lightState };
  }

  get frozen(): boolean {
    return this.lightState.frozen;
  }

  /** The misbehaviour that froze the client, when seen by this instance. */
  get misbehaviour(): Misbehaviour | undefined {
    return this.misbehaviourSeen;
  }

  /** The validator set that must seal the next header. */
  get nextValidators(): ValidatorSet {
    return this.nextSet;
  }

  /** A verified header by number (skipped heights have none). */
  getRecord(number: number): VerifiedHeaderRecord | undefined {
    return this.store.getRecord(number);
  }

  private epochOf(n: number): number {
    return Math.floor(n / this.rules.epochLength);
  }

  /** Last block of the epoch holding block `n`. */
  epochEnd(n: number): number {
    return (this.epochOf(n) + 1) * this.rules.epochLength - 1;
  }

  /** @throws DietcoinError TRUST_EXPIRED when the head is older than the trusting period. */
  checkTrusted(): void {
    const now = this.rules.now();
    this.clockLimit = now + this.rules.maxClockDriftSeconds;
    if (now >= this.headRecord.timestamp + this.rules.trustingPeriodSeconds) {
      throw new DietcoinError(
        'TRUST_EXPIRED',
        `trusted header ${this.headRecord.number} is older than the trusting period of ${this.rules.trustingPeriodSeconds} s; a new checkpoint is needed`,
      );
    }
  }

  private checkNotFrozen(): void {
    if (this.lightState.frozen) {
      throw new DietcoinError(
        'FROZEN',
        `light client of chain ${this.rules.chainId} is frozen after misbehaviour`,
      );
    }
  }

  /** Checks what every accepted header must satisfy relative to the set and clock. */
  private checkHeaderAgainstSet(h: DecodedHeader, previousTimestamp: number): void {
    const x = h.header;
    this.checkLinkAgainstSet(
      {
        number: x.number,
        timestamp: x.timestamp,
        validatorsHash: x.extra.validatorsHash,
        nextValidatorsHash: x.extra.nextValidatorsHash,
      },
      previousTimestamp,
    );
  }

  private checkLinkAgainstSet(
    x: Pick<HeaderLink, 'number' | 'timestamp' | 'validatorsHash' | 'nextValidatorsHash'>,
    previousTimestamp: number,
  ): void {
    if (!equalBytes(x.validatorsHash, this.nextSet.hash)) {
      throw new DietcoinError(
        'WRONG_VALIDATOR_SET',
        `header ${x.number} names validator set ${shortHex(x.validatorsHash)}, expected ${shortHex(this.nextSet.hash)}`,
      );
    }
    if (
      (x.number + 1) % this.rules.epochLength !== 0 &&
      !equalBytes(x.nextValidatorsHash, x.validatorsHash)
    ) {
      throw new DietcoinError(
        'WRONG_VALIDATOR_SET',
        `header ${x.number} changes the validator set away from an epoch boundary`,
      );
    }
    if (x.timestamp <= previousTimestamp) {
      throw new DietcoinError(
        'NOT_MONOTONIC',
        `header ${x.number} has timestamp ${x.timestamp}, not after ${previousTimestamp}`,
      );
    }
    if (x.timestamp > this.clockLimit) {
      throw new DietcoinError(
        'FROM_THE_FUTURE',
        `header ${x.number} has timestamp ${x.timestamp}, ahead of the clock`,
      );
    }
  }

  /** Latest timestamp accepted now (refreshed once per verification call). */
  private clockLimit = 0;

  private resolveNextSet(h: DecodedHeader, supplied: ValidatorSet | undefined): ValidatorSet {
    const x = h.header;
    if (equalBytes(x.extra.nextValidatorsHash, x.extra.validatorsHash)) return this.nextSet;
    if (!supplied || !equalBytes(supplied.hash, x.extra.nextValidatorsHash)) {
      throw new DietcoinError(
        'WRONG_VALIDATOR_SET',
        `header ${x.number} announces validator set ${shortHex(x.extra.nextValidatorsHash)}${supplied ? `, given ${shortHex(supplied.hash)}` : ', which was not given'}`,
      );
    }
    return supplied;
  }

  private checkSeals(s: SealedHeader): void {
    verifySeals({
      validators: this.nextSet,
      quorum: this.rules.quorum,
      chainId: this.rules.chainId,
      height: s.header.header.number,
      round: s.seals.round,
      blockHash: s.header.hash,
      seals: s.seals.seals,
    });
  }

  private remember(s: SealedHeader): void {
    this.recentSealed.set(s.header.header.number, s);
    if (this.recentSealed.size > this.rules.keepSealed) {
      const oldest = this.recentSealed.keys().next().value;
      if (oldest !== undefined) this.recentSealed.delete(oldest);
    }
  }

  private async advance(records: VerifiedHeaderRecord[], next: ValidatorSet): Promise<void> {
    const last = records[records.length - 1]!;
    const state: LightClientState = { ...this.lightState, head: last.number };
    const sets = next === this.nextSet ? [] : [next];
    await this.store.write({ records, validatorSets: sets, state });
    this.headRecord = last;
    this.nextSet = next;
    this.lightState = state;
  }

  /**
   * Accepts the header after the head: parent link, validator set, clock and seals.
   * A header at or below the head is compared with the stored one (see `checkConflict`).
   * @throws DietcoinError FROZEN, TRUST_EXPIRED, WRONG_HEIGHT, WRONG_PARENT, WRONG_VALIDATOR_SET,
   *   NOT_MONOTONIC, FROM_THE_FUTURE, a seal code, or CONFLICTING_HEADER.
   */
  async verifySequential(sealed: SealedHeader, nextValidators?: ValidatorSet): Promise<VerifiedHeaderRecord> {
    this.checkNotFrozen();
    const x = sealed.header.header;
    if (x.number <= this.headRecord.number) return this.checkConflict(sealed);
    if (x.number !== this.headRecord.number + 1) {
      throw new DietcoinError(
        'WRONG_HEIGHT',
        `header ${x.number} does not follow head ${this.headRecord.number}`,
      );
    }
    this.checkTrusted();
    if (!equalBytes(x.parentHash, this.headRecord.hash)) {
      throw new DietcoinError(
        'WRONG_PARENT',
        `header ${x.number} has parent ${shortHex(x.parentHash)}, not head ${shortHex(this.headRecord.hash)}`,
      );
    }
    this.checkHeaderAgainstSet(sealed.header, this.headRecord.timestamp);
    this.checkSeals(sealed);
    const next = this.resolveNextSet(sealed.header, nextValidators);
    const record = recordOfHeader(sealed.header, true);
    await this.advance([record], next);
    this.remember(sealed);
    return record;
  }

  /**
   * Accepts a later header of the same epoch as head + 1 by its seals alone.
   * @throws DietcoinError CANNOT_SKIP when a set change may lie in between, and as `verifySequential`.
   */
  async verifySkipping(sealed: SealedHeader, nextValidators?: ValidatorSet): Promise<VerifiedHeaderRecord> {
    this.checkNotFrozen();
    const x = sealed.header.header;
    if (x.number <= this.headRecord.number) return this.checkConflict(sealed);
    if (x.number === this.headRecord.number + 1) return this.verifySequential(sealed, nextValidators);
    if (this.epochOf(x.number) !== this.epochOf(this.headRecord.number + 1)) {
      throw new DietcoinError(
        'CANNOT_SKIP',
        `header ${x.number} lies beyond the epoch ending at ${this.epochEnd(this.headRecord.number + 1)}; the set may change in between`,
      );
    }
    this.checkTrusted();
    this.checkHeaderAgainstSet(sealed.header, this.headRecord.timestamp);
    this.checkSeals(sealed);
    const next = this.resolveNextSet(sealed.header, nextValidators);
    const record = recordOfHeader(sealed.header, true);
    await this.advance([record], next);
    this.remember(sealed);
    return record;
  }

  /**
   * Accepts headers head+1 … end by their parent links, with seals checked on `end` alone (which
   * must lie in the epoch of head + 1). `headers` are the RLPs of head+1 … end−1.
   * @throws DietcoinError WRONG_HEIGHT, WRONG_PARENT, CANNOT_SKIP, and as `verifySequential`.
   */
  async verifyLinked(
    headers: readonly Uint8Array[],
    end: SealedHeader,
    nextValidators?: ValidatorSet,
  ): Promise<VerifiedHeaderRecord[]> {
    this.checkNotFrozen();
    this.checkTrusted();
    const endNumber = end.header.header.number;
    if (endNumber !== this.headRecord.number + headers.length + 1) {
      throw new DietcoinError(
        'WRONG_HEIGHT',
        `linked segment of ${headers.length} headers after ${this.headRecord.number} must end at ${this.headRecord.number + headers.length + 1}, not ${endNumber}`,
      );
    }
    if (this.epochOf(endNumber) !== this.epochOf(this.headRecord.number + 1)) {
      throw new DietcoinError('CANNOT_SKIP', `linked segment to ${endNumber} crosses an epoch boundary`);
    }
    const records: VerifiedHeaderRecord[] = new Array(headers.length + 1);
    let prevHash = this.headRecord.hash;
    let prevTimestamp = this.headRecord.timestamp;
    let expected = this.headRecord.number + 1;
    const link = (x: HeaderLink, i: number, sealed: boolean) => {
      if (x.number !== expected)
        throw new DietcoinError('WRONG_HEIGHT', `linked header ${x.number} is not ${expected}`);
      if (!equalBytes(x.parentHash, prevHash)) {
        throw new DietcoinError(
          'WRONG_PARENT',
          `header ${x.number} has parent ${shortHex(x.parentHash)}, not ${shortHex(prevHash)}`,
        );
      }
      this.checkLinkAgainstSet(x, prevTimestamp);
      records[i] = {
        number: x.number,
        timestamp: x.timestamp,
        hash: x.hash,
        stateRoot: x.stateRoot,
        messageRoot: x.messageRoot,
        shardRoot: x.shardRoot,
        validatorsHash: x.validatorsHash,
        nextValidatorsHash: x.nextValidatorsHash,
        sealed,
      };
      prevHash = x.hash;
      prevTimestamp = x.timestamp;
      expected++;
    };
    for (let i = 0; i < headers.length; i++) link(scanHeader(headers[i]!), i, false);
    const e = end.header.header;
    link(
      {
        hash: end.header.hash,
        number: e.number,
        timestamp: e.timestamp,
        parentHash: e.parentHash,
        stateRoot: e.stateRoot,
        validatorsHash: e.extra.validatorsHash,
        nextValidatorsHash: e.extra.nextValidatorsHash,
        messageRoot: e.extra.messageRoot,
        shardRoot: e.extra.shardRoot,
      },
      headers.length,
      true,
    );
    this.checkSeals(end);
    const next = this.resolveNextSet(end.header, nextValidators);
    await this.advance(records, next);
    this.remember(end);
    return records;
  }

  /**
   * Compares a sealed header at or below the head with the one the client accepted at that height.
   * The same header is returned as is; a different one sealed by a quorum of that height's set
   * freezes the client.
   * @throws DietcoinError UNKNOWN_HEADER (height skipped), a seal code (no quorum: not misbehaviour),
   *   or CONFLICTING_HEADER with `details.misbehaviour`.
   */
  async checkConflict(sealed: SealedHeader): Promise<VerifiedHeaderRecord> {
    const x = sealed.header.header;
    const record = this.store.getRecord(x.number);
    if (!record) {
      throw new DietcoinError(
        'UNKNOWN_HEADER',
        `header ${x.number} was skipped; the client cannot compare it`,
      );
    }
    if (equalBytes(record.hash, sealed.header.hash)) return record;
    const set = this.store.getValidatorSet(record.validatorsHash);
    if (!set) throw new DietcoinError('UNKNOWN_HEADER', `validator set of header ${x.number} is not kept`);
    verifySeals({
      validators: set,
      quorum: this.rules.quorum,
      chainId: this.rules.chainId,
      height: x.number,
      round: sealed.seals.round,
      blockHash: sealed.header.hash,
      seals: sealed.seals.seals,
    });
    const trusted = this.recentSealed.get(x.number);
    const misbehaviour: Misbehaviour = {
      height: x.number,
      trusted: { hash: record.hash, sealed: trusted },
      conflicting: sealed,
      evidence: trusted
        ? findEvidence({
            chainId: this.rules.chainId,
            height: x.number,
            first: { blockHash: trusted.header.hash, round: trusted.seals.round, seals: trusted.seals.seals },
            second: { blockHash: sealed.header.hash, round: sealed.seals.round, seals: sealed.seals.seals },
          })
        : [],
    };
    this.misbehaviourSeen = misbehaviour;
    const state = { ...this.lightState, frozen: true };
    await this.store.write({ records: [], state });
    this.lightState = state;
    throw new DietcoinError(
      'CONFLICTING_HEADER',
      `two quorum-sealed headers at height ${x.number}: ${shortHex(record.hash)} and ${shortHex(sealed.header.hash)}; client frozen`,
      { details: { misbehaviour } },
    );
  }

  /**
   * Follows a source to `target` (default: its head) and persists what it verified.
   * `sequential`: every header with its seals; `skipping`: the last header of each epoch and the
   * target, by seals; `fullChain`: every header by parent links, seals on epoch ends and the target.
   * @throws DietcoinError SOURCE_FAILED when the source lacks what is needed, and any verification code.
   */
  async sync(p: {
    source: HeaderSource;
    mode: SyncMode;
    target?: number;
    batchSize?: number;
    onProgress?: (progress: SyncProgress) => void;
  }): Promise<SyncReport> {
    const t0 = performance.now();
    const target = p.target ?? (await p.source.headNumber());
    const batchSize = p.batchSize ?? 4096;
    let headersVerified = 0;
    let sealChecks = 0;
    let recordsStored = 0;
    const progress = () =>
      p.onProgress?.({
        mode: p.mode,
        height: this.headRecord.number,
        target,
        headersVerified,
        sealChecks,
        elapsedSeconds: (performance.now() - t0) / 1000,
      });
    const fetchSealed = async (n: number): Promise<SealedHeader> => {
      const bytes = await this.fromSource(() => p.source.getSealedHeader(n), `sealed header ${n}`);
      if (!bytes) throw new DietcoinError('SOURCE_FAILED', `source has no sealed header ${n}`);
      return decodeSealedHeader(bytes);
    };
    const fetchNextSet = async (s: SealedHeader): Promise<ValidatorSet | undefined> => {
      const e = s.header.header.extra;
      if (equalBytes(e.nextValidatorsHash, e.validatorsHash)) return undefined;
      const bytes = await this.fromSource(
        () => p.source.getValidatorSet(e.nextValidatorsHash),
        'validator set',
      );
      return bytes ? decodeValidatorSet(bytes) : undefined;
    };
    while (this.headRecord.number < target) {
      this.checkNotFrozen();
      const from = this.headRecord.number + 1;
      if (p.mode === 'sequential') {
        const s = await fetchSealed(from);
        await this.verifySequential(s, await fetchNextSet(s));
        headersVerified++;
        sealChecks++;
        recordsStored++;
        if (headersVerified % batchSize === 0) progress();
        continue;
      }
      const end = Math.min(target, this.epochEnd(from));
      const s = await fetchSealed(end);
      const next = await fetchNextSet(s);
      if (p.mode === 'skipping') {
        await this.verifySkipping(s, next);
        headersVerified++;
        recordsStored++;
      } else {
        const rlps: Uint8Array[] = [];
        for (let n = from; n < end; n += batchSize) {
          const count = Math.min(batchSize, end - n);
          const got = await this.fromSource(
            () => p.source.getHeaders(n, count),
            `headers ${n}…${n + count - 1}`,
          );
          if (got.length !== count)
            throw new DietcoinError(
              'SOURCE_FAILED',
              `source returned ${got.length} of ${count} headers from ${n}`,
            );
          for (const h of got) rlps.push(h);
        }
        const records = await this.verifyLinked(rlps, s, next);
        headersVerified += records.length;
        recordsStored += records.length;
      }
      sealChecks++;
      progress();
    }
    progress();
    return {
      head: this.headRecord,
      headersVerified,
      sealChecks,
      recordsStored,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  private async fromSource<T>(f: () => Promise<T>, what: string): Promise<T> {
    try {
      return await f();
    } catch (cause) {
      throw new DietcoinError('SOURCE_FAILED', `source failed to serve ${what}`, { cause });
    }
  }

  /**
   * The record of an accepted header, to check proofs against.
   * @throws DietcoinError UNKNOWN_HEADER when the client did not accept (or skipped) that height.
   */
  acceptedHeader(number: number): VerifiedHeaderRecord {
    const record = this.store.getRecord(number);
    if (!record)
      throw new DietcoinError('UNKNOWN_HEADER', `header ${number} was not accepted by the light client`);
    return record;
  }

  /**
   * Checks a whole message shard (`encodeShardProof` bytes) against block `number`'s messageRoot.
   * @throws DietcoinError UNKNOWN_HEADER, a decoding code, INVALID_MESSAGE, INVALID_PROOF or WRONG_ROOT.
   */
  verifyShardProof(
    number: number,
    proof: Uint8Array,
    sourceChainId = this.rules.chainId,
  ): VerifyShardProofReturnType {
    const { messageRoot } = this.acceptedHeader(number);
    return verifyShardProof({
      proof: decodeShardProof(proof),
      messageRoot,
      blockNumber: number,
      sourceChainId,
    });
  }

  /** Checks one message (`encodeMessageProof` bytes) against block `number`'s messageRoot. */
  verifyMessageProof(
    number: number,
    proof: Uint8Array,
    sourceChainId = this.rules.chainId,
  ): VerifyMessageProofReturnType {
    const { messageRoot } = this.acceptedHeader(number);
    return verifyMessageProof({
      proof: decodeMessageProof(proof),
      messageRoot,
      blockNumber: number,
      sourceChainId,
    });
  }

  /** Checks an account (`encodeAccountProof` bytes) against the state after block `number`. */
  verifyAccountProof(number: number, address: Uint8Array, proof: Uint8Array): Account {
    const { shardRoot } = this.acceptedHeader(number);
    return verifyAccountProof({ proof: decodeAccountProof(proof), address, shardRoot, blockNumber: number });
  }

  /** Checks a whole state shard (`encodeStateShardProof` bytes) against block `number`'s shardRoot. */
  verifyStateShard(number: number, proof: Uint8Array): { addressHash: Uint8Array; account: Account }[] {
    const { shardRoot } = this.acceptedHeader(number);
    return verifyStateShardProof({ proof: decodeStateShardProof(proof), shardRoot, blockNumber: number });
  }

  /** Hex of the head hash, for logs. */
  toString(): string {
    return `HeaderChain(chain ${this.rules.chainId}, head ${this.headRecord.number} ${bytesToHex(this.headRecord.hash)})`;
  }
}
