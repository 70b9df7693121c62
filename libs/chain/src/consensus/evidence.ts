// Equivocation: two signed messages by one validator for the same chain, height, round and step
// (proposal, prepare, commit) over different block hashes. The detector sees every verified vote;
// the pool keeps what it found for khipu_getEvidence and for slashing. Neither ever changes what
// the engine counts: the engine keeps the first vote of a sender per round and step, and quorum
// intersection keeps safety with any f equivocating validators.
import { createSignedPartDigester, encodeSignedPart, signedPartLength } from './codec.js';
import { equalBytes, hexToBytes } from './hex.js';
import type { SealDigester } from './seal.js';
import type {
  Address,
  CommitMessage,
  EquivocationEvidence,
  Keccak256,
  PrepareMessage,
  ProposalMessage,
  SealVerifier,
  SignedVote,
  VoteStep,
} from './types.js';

type VoteMessage = ProposalMessage | PrepareMessage | CommitMessage;

function signedVoteOf(m: VoteMessage): SignedVote {
  return {
    blockHash: m.blockHash,
    signedPart: encodeSignedPart(m),
    signature: m.signature,
    seal: m.type === 'commit' ? m.seal : null,
  };
}

/** Finds equivocations among verified votes of one height. */
export interface EquivocationDetector {
  /** Records a vote whose signature was checked; returns evidence the first time it conflicts. */
  observe(message: VoteMessage): EquivocationEvidence | null;
}

/** Creates a detector; it holds one vote per (round, step, validator) and one evidence per key. */
export function createEquivocationDetector(): EquivocationDetector {
  const first = new Map<string, VoteMessage>();
  const reported = new Set<string>();
  return {
    observe(m) {
      const step: VoteStep = m.type;
      const key = `${m.height}:${m.round}:${step}:${m.sender}`;
      const prior = first.get(key);
      if (!prior) {
        first.set(key, m);
        return null;
      }
      if (prior.blockHash === m.blockHash || reported.has(key)) return null;
      reported.add(key);
      return {
        chainId: m.chainId,
        height: m.height,
        round: m.round,
        validator: m.sender,
        step,
        first: signedVoteOf(prior),
        second: signedVoteOf(m),
      };
    },
  };
}

export interface VerifyEquivocationEvidenceParameters {
  evidence: EquivocationEvidence;
  keccak256: Keccak256;
  verifier: SealVerifier;
  sealDigest: SealDigester;
}

/**
 * Re-checks evidence from its own bytes: both signed parts name the validator, chain, height,
 * round and step, differ in block hash, and carry the validator's signatures (and, for commits,
 * valid seals over both hashes). Returns false on anything else.
 */
export function verifyEquivocationEvidence({
  evidence: e,
  keccak256,
  verifier,
  sealDigest,
}: VerifyEquivocationEvidenceParameters): boolean {
  const digestOf = createSignedPartDigester(keccak256);
  if (e.first.blockHash === e.second.blockHash) return false;
  for (const vote of [e.first, e.second]) {
    const part = vote.signedPart;
    if (part.length !== signedPartLength(e.step)) return false;
    const view = new DataView(part.buffer, part.byteOffset, part.byteLength);
    const type = view.getUint8(1);
    const stepId = e.step === 'proposal' ? 1 : e.step === 'prepare' ? 2 : 3;
    if (view.getUint8(0) !== 1 || type !== stepId) return false;
    if (view.getBigUint64(2, false) !== e.chainId) return false;
    if (view.getBigUint64(10, false) !== BigInt(e.height)) return false;
    if (view.getUint32(18, false) !== e.round) return false;
    const sender = `0x${Buffer.from(part.subarray(22, 42)).toString('hex')}` as Address;
    if (sender !== e.validator) return false;
    const hash = `0x${Buffer.from(part.subarray(42, 74)).toString('hex')}`;
    if (hash !== vote.blockHash) return false;
    if (!verifier.verify(digestOf(part), vote.signature, e.validator)) return false;
    if (e.step === 'commit') {
      if (!vote.seal || !equalBytes(vote.seal, part.subarray(74, 139))) return false;
      const subject = {
        chainId: e.chainId,
        height: e.height,
        round: e.round,
        blockHash: hexToBytes(vote.blockHash, 32),
      };
      if (!verifier.verify(sealDigest(subject), vote.seal, e.validator)) return false;
    }
  }
  return true;
}

export interface EvidenceQuery {
  validator?: Address;
  fromHeight?: number;
  toHeight?: number;
}

/** Evidence kept for queries (khipu_getEvidence) and slashing. */
export interface EvidencePool {
  /** Adds evidence; false when the same (validator, height, round, step) is already kept. */
  add(evidence: EquivocationEvidence): boolean;
  /** Evidence matching `query`, ascending by height, then round. */
  list(query?: EvidenceQuery): EquivocationEvidence[];
  readonly size: number;
  /** Drops evidence below `height` (older than the unbonding window). */
  pruneBelow(height: number): void;
}

export interface CreateEvidencePoolParameters {
  /** Bound of kept entries; the oldest heights go first (default 10,000). */
  maxEntries?: number;
}

/** Creates an in-memory evidence pool, bounded. */
export function createEvidencePool({ maxEntries = 10_000 }: CreateEvidencePoolParameters = {}): EvidencePool {
  const byKey = new Map<string, EquivocationEvidence>();
  const sorted = () =>
    [...byKey.values()].sort(
      (a, b) => a.height - b.height || a.round - b.round || (a.validator < b.validator ? -1 : 1),
    );
  return {
    add(e) {
      const key = `${e.validator}:${e.height}:${e.round}:${e.step}`;
      if (byKey.has(key)) return false;
      byKey.set(key, e);
      if (byKey.size > maxEntries) {
        const oldest = sorted()[0]!;
        byKey.delete(`${oldest.validator}:${oldest.height}:${oldest.round}:${oldest.step}`);
      }
      return byKey.has(key);
    },
    list({ validator, fromHeight = 0, toHeight = Number.MAX_SAFE_INTEGER } = {}) {
      return sorted().filter(
        (e) =>
          (validator === undefined || e.validator === validator) &&
          e.height >= fromHeight &&
          e.height <= toHeight,
      );
    },
    get size() {
      return byKey.size;
    },
    pruneBelow(height) {
      for (const [k, e] of byKey) if (e.height < height) byKey.delete(k);
    },
  };
}
