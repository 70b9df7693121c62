// The validator set of every height, as a pure function of the genesis and the finalized chain.
// Epoch e holds blocks e·L … (e+1)·L − 1 (L = epochLength); the set may change only from one epoch
// to the next, and block (e+1)·L − 1 announces the set of epoch e + 1 through nextValidatorsHash
// (libs/dietcoin's HeaderChain checks exactly that rule). A set comes from:
//   1. configuration: the genesis schedule lists the set of some epochs;
//   2. governance: a SignedValidatorSetChange for epoch e, approved by more than 2/3 of epoch
//      e − 1's set, included in a finalized block of epoch e − 1 no later than (e)·L − 2, so it is
//      known to every node before the announcing block (e·L − 1) is built. It overrides the
//      configuration; a later change for the same epoch overrides an earlier one.
// An epoch with neither keeps the set of the epoch before.
import { createValidatorSet, type ValidatorSet } from '@khipu/dietcoin';
import { ConsensusError, isConsensusError } from './errors.js';
import { hexBytesView } from './hex.js';
import type { Address, Keccak256, SealVerifier, ValidatorSetView } from './types.js';
import {
  checkValidatorSetView,
  decodeSignedSetChange,
  type SignedValidatorSetChange,
  VALIDATOR_SET_CHANGE_ADDRESS,
  verifySignedSetChange,
} from './validatorSetChange.js';

/** What the schedule reads of a transaction: its recipient (null: a creation) and its data. */
export interface TransactionView {
  to: Address | null;
  data: Uint8Array;
}

/** A governance change the schedule took: the epoch it fixes and its encoded form (the transaction data). */
export interface AppliedSetChange {
  epoch: number;
  data: Uint8Array;
}

/** What a final block did to the schedule. */
export interface AppliedSetChanges {
  /** Changes that fixed an epoch's set, in transaction order. */
  applied: AppliedSetChange[];
  /** Changes refused (malformed, late, not approved by a quorum): the node logs them. */
  refused: ConsensusError[];
}

/** A set fixed by configuration from the first block of `epoch` on. */
export interface ScheduledSet {
  epoch: number;
  validators: ValidatorSetView;
}

export interface CreateValidatorScheduleParameters {
  chainId: bigint;
  /** Blocks per epoch (≥ 1; governance changes need ≥ 2, see above). */
  epochLength: number;
  /** The set of epoch 0 (genesis). */
  genesis: ValidatorSetView;
  /** Sets of later epochs from configuration, ascending by epoch. */
  configured?: readonly ScheduledSet[];
  verifier: SealVerifier;
  keccak256: Keccak256;
}

/** What block `height` writes in its extraData. */
export interface HeaderValidatorHashes {
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
}

export interface ValidatorSchedule {
  readonly epochLength: number;
  epochOf(height: number): number;
  /** The set that seals block `height` (the engine's `validatorsAt`). */
  setAt(height: number): ValidatorSetView;
  /** libs/dietcoin's ValidatorSet of `height` (hash = that block's validatorsHash). */
  dietcoinSetAt(height: number): ValidatorSet;
  /** validatorsHash and nextValidatorsHash of block `height`: the producer writes them, the importer checks them. */
  hashesAt(height: number): HeaderValidatorHashes;
  /**
   * Schedules a governance change included in finalized block `includedAt` (blocks must be fed
   * in order, each once). Verified first.
   * @throws ConsensusError INVALID_SET_CHANGE (wrong epoch or too late), WRONG_CHAIN,
   * BAD_SIGNATURE or NO_QUORUM; the schedule is unchanged then.
   */
  applyChange(includedAt: number, change: SignedValidatorSetChange): void;
  /**
   * Applies the governance transactions of final block `height` (those sent to
   * VALIDATOR_SET_CHANGE_ADDRESS, in order); a refused one does not stop the others.
   */
  applyBlock(height: number, transactions: readonly TransactionView[]): AppliedSetChanges;
}

function dietcoinSetOf(view: ValidatorSetView): ValidatorSet {
  return createValidatorSet({
    validators: view.validators.map((a: Address, i) => ({
      address: hexBytesView(a, 20),
      stake: view.powers?.[i] ?? 1n,
    })),
  });
}

class Schedule implements ValidatorSchedule {
  readonly epochLength: number;
  /** Set by epoch for every epoch that names one (configuration, then governance). */
  private readonly sets = new Map<number, ValidatorSetView>();
  private readonly hashes = new WeakMap<ValidatorSetView, ValidatorSet>();

  constructor(private readonly p: CreateValidatorScheduleParameters) {
    if (!Number.isSafeInteger(p.epochLength) || p.epochLength < 1) {
      throw new ConsensusError('INVALID_CONFIG', `epochLength ${p.epochLength} must be an integer ≥ 1`);
    }
    this.epochLength = p.epochLength;
    const check = (set: ValidatorSetView, what: string) => {
      try {
        checkValidatorSetView(set);
      } catch (cause) {
        throw new ConsensusError('INVALID_CONFIG', `${what}: ${(cause as Error).message}`, { cause });
      }
    };
    check(p.genesis, 'genesis validator set');
    this.sets.set(0, p.genesis);
    let last = 0;
    for (const s of p.configured ?? []) {
      if (!Number.isSafeInteger(s.epoch) || s.epoch <= last) {
        throw new ConsensusError(
          'INVALID_CONFIG',
          `scheduled validator sets must name ascending epochs above 0; ${s.epoch} follows ${last}`,
        );
      }
      check(s.validators, `validator set of epoch ${s.epoch}`);
      this.sets.set(s.epoch, s.validators);
      last = s.epoch;
    }
  }

  epochOf(height: number): number {
    return Math.floor(height / this.epochLength);
  }

  setAt(height: number): ValidatorSetView {
    if (!Number.isSafeInteger(height) || height < 0) {
      throw new ConsensusError('INVALID_INPUT', `no validator set for height ${height}`);
    }
    for (let e = this.epochOf(height); ; e--) {
      const set = this.sets.get(e);
      if (set) return set;
    }
  }

  dietcoinSetAt(height: number): ValidatorSet {
    const view = this.setAt(height);
    let set = this.hashes.get(view);
    if (!set) {
      set = dietcoinSetOf(view);
      this.hashes.set(view, set);
    }
    return set;
  }

  hashesAt(height: number): HeaderValidatorHashes {
    return {
      validatorsHash: this.dietcoinSetAt(height).hash,
      nextValidatorsHash: this.dietcoinSetAt(height + 1).hash,
    };
  }

  applyChange(includedAt: number, signed: SignedValidatorSetChange): void {
    const { epoch } = signed.change;
    const L = this.epochLength;
    // Inside epoch e − 1 and before its last block, which announces epoch e's set.
    if (L < 2 || includedAt < (epoch - 1) * L || includedAt > epoch * L - 2) {
      throw new ConsensusError(
        'INVALID_SET_CHANGE',
        `validator-set change for epoch ${epoch} must be included in blocks ${(epoch - 1) * L}..${epoch * L - 2}, not ${includedAt}`,
        { details: { epoch, includedAt, epochLength: L } },
      );
    }
    verifySignedSetChange(signed, {
      chainId: this.p.chainId,
      approvers: this.setAt(includedAt),
      verifier: this.p.verifier,
      keccak256: this.p.keccak256,
    });
    this.sets.set(epoch, signed.change.validators);
  }

  applyBlock(height: number, transactions: readonly TransactionView[]): AppliedSetChanges {
    const out: AppliedSetChanges = { applied: [], refused: [] };
    for (const tx of transactions) {
      if (tx.to?.toLowerCase() !== VALIDATOR_SET_CHANGE_ADDRESS) continue;
      try {
        const signed = decodeSignedSetChange(tx.data);
        this.applyChange(height, signed);
        out.applied.push({ epoch: signed.change.epoch, data: tx.data });
      } catch (e) {
        if (!isConsensusError(e)) throw e;
        out.refused.push(e);
      }
    }
    return out;
  }
}

/**
 * Creates the schedule of a chain.
 * @throws ConsensusError INVALID_CONFIG on a bad epoch length or set.
 * @example
 * const schedule = createValidatorSchedule({ chainId, epochLength: 100, genesis, verifier, keccak256 });
 * createConsensusEngine({ ..., validatorsAt: (h) => schedule.setAt(h) });
 */
export function createValidatorSchedule(p: CreateValidatorScheduleParameters): ValidatorSchedule {
  return new Schedule(p);
}
