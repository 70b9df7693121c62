// Adapters between the consensus core and libs/dietcoin's types: validator sets, decisions as
// seals a light client verifies, and commit equivocations as dietcoin `Evidence`. The digest the
// engine's seals sign is dietcoin's `sealDigest` (seal.test.ts checks the two byte for byte; a node
// may pass dietcoin's `sealDigest` to the engine directly).
import { createEvidence, type Evidence, type QuorumRule, type ValidatorSet } from '@khipu/dietcoin';
import { bytesToHex, hexToBytes } from './hex.js';
import type { Decision, EquivocationEvidence, ValidatorSetView } from './types.js';

/**
 * The engine's view of a dietcoin validator set (ascending by address in both): one vote each
 * under `count` (enterprise chains), the stake as voting power under `stake` (the hub), so that
 * the engine's quorums are the ones `verifySeals` checks.
 */
export function validatorSetViewOf(set: ValidatorSet, rule: QuorumRule = 'count'): ValidatorSetView {
  const validators = set.validators.map((v) => bytesToHex(v.address));
  return rule === 'stake' ? { validators, powers: set.validators.map((v) => v.stake) } : { validators };
}

/** The seals of a decision as dietcoin's `verifySeals` takes them (ascending by validator). */
export function sealsOfDecision(decision: Decision): Uint8Array[] {
  return decision.seals.map((s) => s.signature);
}

/**
 * Dietcoin `Evidence` for a commit equivocation (two seals over different hashes in one round),
 * ready for `verifyEvidence`, khipu_getEvidence and slashing; null for proposal and prepare
 * equivocations, which are signed messages, not seals (see evidence.ts `verifyEquivocationEvidence`).
 */
export function evidenceToDietcoin(e: EquivocationEvidence): Evidence | null {
  if (e.step !== 'commit' || !e.first.seal || !e.second.seal) return null;
  return createEvidence({
    chainId: e.chainId,
    height: e.height,
    round: e.round,
    validator: hexToBytes(e.validator, 20),
    votes: [
      { blockHash: hexToBytes(e.first.blockHash, 32), seal: e.first.seal },
      { blockHash: hexToBytes(e.second.blockHash, 32), seal: e.second.seal },
    ],
  });
}
