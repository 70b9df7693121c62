// Keeps a node's validator schedule in step with its chain: at open, replays the governance
// transactions (to 0x…1006) of every stored block in order, then applies each block as the store
// commits it, whoever committed it (consensus, sync, a lone producer).
//
// Why a replay of the whole chain and not only the last epoch: a change for epoch e is verified
// against the set of epoch e − 1, which itself may come from a change approved by epoch e − 2's
// set, and so on back to genesis; khipu_getValidators also answers for any past height. The
// replay reads only the raw transactions of each block and decodes just those whose bytes contain
// the governance address, so it costs one table scan, not an execution.
import type { Common } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import type { ChainStore } from '../store/chainStore.js';
import type { ConsensusError } from './errors.js';
import type { Address } from './types.js';
import type { TransactionView, ValidatorSchedule } from './validatorSchedule.js';
import { VALIDATOR_SET_CHANGE_ADDRESS } from './validatorSetChange.js';

const GOVERNANCE_BYTES = Buffer.from(VALIDATOR_SET_CHANGE_ADDRESS.slice(2), 'hex');

export interface FollowValidatorScheduleParameters {
  store: ChainStore;
  schedule: ValidatorSchedule;
  common: Common;
  /** A governance change a final block carried that the schedule refused (the node logs it). */
  onRefused?: (height: number, error: ConsensusError) => void;
}

/** The transactions of a block that may be governance changes, as the schedule reads them. */
export function governanceTransactionsOf(raws: readonly Uint8Array[], common: Common): TransactionView[] {
  const out: TransactionView[] = [];
  for (const raw of raws) {
    if (Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).indexOf(GOVERNANCE_BYTES) < 0) continue;
    // Stored blocks were validated at import, so their transactions decode.
    const tx = createTxFromRLP(raw, { common });
    out.push({ to: tx.to ? (bytesToHex(tx.to.bytes) as Address) : null, data: tx.data });
  }
  return out;
}

/**
 * Replays the stored chain into `schedule`, then follows new blocks.
 * @returns stop following (the node's close).
 */
export function followValidatorSchedule(p: FollowValidatorScheduleParameters): () => void {
  const apply = (number: bigint) => {
    const txs = governanceTransactionsOf(p.store.getRawTransactions(number) ?? [], p.common);
    if (txs.length === 0) return;
    const { refused } = p.schedule.applyBlock(Number(number), txs);
    for (const e of refused) p.onRefused?.(Number(number), e);
  };
  const head = p.store.headNumber();
  for (let n = 1n; n <= head; n++) apply(n);
  return p.store.subscribeNewBlocks((e) => apply(e.header.number));
}
