// khipu_* answers: integers as hex quantities, ratios and durations as JSON numbers, bytes as hex.

import type { SealData, ValidatorData } from '../backend.js';
import { toQuantity } from '../format.js';

export function formatSeal(seal: SealData): Record<string, unknown> {
  return { validator: seal.validator, round: toQuantity(seal.round), signature: seal.signature };
}

export function formatValidator(validator: ValidatorData): Record<string, unknown> {
  return validator.stake === undefined
    ? { address: validator.address }
    : { address: validator.address, stake: toQuantity(validator.stake) };
}
