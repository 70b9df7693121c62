// A test chain sealed by one validator: its genesis, and the chain opened on an in-memory store.
import { type GenesisConfig, type GenesisConfigJSON, parseGenesisConfig } from '../genesis/config.js';
import { type Chain, type OpenChainParameters, openChain } from '../node/chain.js';
import { createMemoryKV } from '../store/kv.js';
import { addressOfKey, VALIDATOR_KEY } from './keys.js';
import { steppingClock } from './steppingClock.js';

/** The genesis fields a solo chain's test chooses; the validator set is `validatorKey` alone. */
export type SoloGenesisParameters = Omit<GenesisConfigJSON, 'validators' | 'timestamp'> & {
  /** Default: VALIDATOR_KEY. */
  validatorKey?: Uint8Array;
};

/**
 * A genesis at timestamp 1,700,000,000 whose only validator is `validatorKey`.
 * @throws ChainError INVALID_GENESIS as parseGenesisConfig does.
 */
export function soloGenesis({
  validatorKey = VALIDATOR_KEY,
  ...fields
}: SoloGenesisParameters): GenesisConfig {
  return parseGenesisConfig({
    timestamp: 1_700_000_000,
    validators: [addressOfKey(validatorKey)],
    ...fields,
  });
}

/** The alloc funding each key's address with `wei`. */
export function fundedAlloc(keys: Uint8Array[], wei: bigint): NonNullable<GenesisConfigJSON['alloc']> {
  return Object.fromEntries(keys.map((k) => [addressOfKey(k), { balance: wei.toString() }]));
}

/**
 * Opens `genesis` with VALIDATOR_KEY as its producer, on a new in-memory store and a stepping
 * clock unless `rest` gives others (a test that reopens a store passes the store and its clock).
 */
export function openSoloChain(
  genesis: GenesisConfig,
  rest: Partial<OpenChainParameters> = {},
): Promise<Chain> {
  return openChain({
    kv: createMemoryKV(),
    validatorKey: VALIDATOR_KEY,
    now: steppingClock(),
    genesis,
    ...rest,
  });
}
