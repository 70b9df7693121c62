// The validator schedule of a chain from its genesis: the set of epoch 0 and the configured later
// sets. Governance changes are applied to it as their blocks become final (consensus/validatorSchedule.ts).

import type { Keccak256, SealVerifier, ValidatorSetView } from '../consensus/types.js';
import { createValidatorSchedule, type ValidatorSchedule } from '../consensus/validatorSchedule.js';
import { DEFAULT_EPOCH_LENGTH, type GenesisConfig } from './config.js';

/** One vote each (enterprise chains), ascending by address as the canonical set hash wants. */
function countedSet(validators: readonly `0x${string}`[]): ValidatorSetView {
  return { validators: [...validators].sort() };
}

/**
 * @throws ConsensusError INVALID_CONFIG when a configured set is malformed.
 * @example const schedule = validatorScheduleOf(genesis, await createConsensusCrypto());
 */
export function validatorScheduleOf(
  config: GenesisConfig,
  crypto: { verifier: SealVerifier; keccak256: Keccak256 },
): ValidatorSchedule {
  return createValidatorSchedule({
    chainId: config.chainId,
    epochLength: config.epochLength ?? DEFAULT_EPOCH_LENGTH,
    genesis: countedSet(config.validators),
    configured: (config.validatorSchedule ?? []).map((s) => ({
      epoch: s.epoch,
      validators: countedSet(s.validators),
    })),
    verifier: crypto.verifier,
    keccak256: crypto.keccak256,
  });
}
