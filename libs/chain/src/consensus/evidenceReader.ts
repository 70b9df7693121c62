// The RPC's view of the evidence consensus stored (khipu_getEvidence): plain hex data, with
// libs/dietcoin's encoded `Evidence` for commit equivocations (what light clients and slashing
// verify).
import { encodeEvidence as encodeDietcoinEvidence } from '@khipu/dietcoin';
import type { EquivocationVoteData, EvidenceData, EvidenceReader, Hex } from '../rpc/backend.js';
import { evidenceToDietcoin } from './dietcoin.js';
import { bytesToHex } from './hex.js';
import type { ConsensusStateStore } from './stateStore.js';
import type { EquivocationEvidence, SignedVote } from './types.js';

const voteData = (v: SignedVote): EquivocationVoteData => ({
  blockHash: v.blockHash,
  signedPart: bytesToHex(v.signedPart) as Hex,
  signature: bytesToHex(v.signature) as Hex,
  seal: v.seal ? (bytesToHex(v.seal) as Hex) : null,
});

export function evidenceDataOf(e: EquivocationEvidence): EvidenceData {
  const dietcoin = evidenceToDietcoin(e);
  return {
    chainId: e.chainId,
    height: BigInt(e.height),
    round: BigInt(e.round),
    validator: e.validator,
    step: e.step,
    votes: [voteData(e.first), voteData(e.second)],
    encoded: dietcoin ? (bytesToHex(encodeDietcoinEvidence(dietcoin)) as Hex) : null,
  };
}

/** Adapts the consensus tables to the RPC (`source()` is null until consensus runs). */
export function createEvidenceReader(source: () => ConsensusStateStore | null): EvidenceReader {
  return {
    list({ validator, fromHeight, toHeight }) {
      const store = source();
      if (!store) return [];
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      return store
        .listEvidence({
          ...(validator ? { validator } : {}),
          ...(fromHeight !== undefined ? { fromHeight: Number(fromHeight > max ? max : fromHeight) } : {}),
          ...(toHeight !== undefined ? { toHeight: Number(toHeight > max ? max : toHeight) } : {}),
        })
        .map(evidenceDataOf);
    },
  };
}
