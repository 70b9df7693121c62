// Kesque tables of the light client. Ids (names) are never reused once retired.
//   dietcoinHeader        number (block number)        -> header record (record.ts, 242 bytes)
//   dietcoinValidatorSet  hash (validatorsHash)        -> validator set (seal/validatorSet.ts encoding)
//   dietcoinMeta          hash (META_STATE_KEY)        -> light-client state (below)
//
// State value layout (18 bytes): version u8 = 1 | head u64 | checkpoint u64 | frozen u8 (0 or 1)
export const DIETCOIN_TABLES = {
  dietcoinHeader: { kind: 'number' },
  dietcoinValidatorSet: { kind: 'hash' },
  dietcoinMeta: { kind: 'hash' },
} as const;

/** Key of the state entry in `dietcoinMeta`: 31 zero bytes then 0x01. */
export const META_STATE_KEY = (() => {
  const k = new Uint8Array(32);
  k[31] = 1;
  return k;
})();
