// Keeps a node's validator schedule in step with its chain: applies the governance transactions
// (to 0x…1006) of each block as the store commits it, whoever committed it (consensus, sync, a
// lone producer), and at open restores what the chain already decided.
//
// Why the schedule needs every change back to genesis: a change for epoch e is verified against
// the set of epoch e − 1, which itself may come from a change approved by epoch e − 2's set, and
// so on; khipu_getValidators also answers for any past height. Scanning every stored block at open
// costs time linear in the chain (about 3 µs a block: 32 ms CPU at 10,000 blocks, some 100 s for
// a year of 1 s blocks), so the follower keeps a checkpoint in `meta` (SCHEDULE_CHECKPOINT_KEY):
// the changes taken so far and the height scanned up to, rewritten every `checkpointEvery` blocks.
// A restart re-verifies the stored changes (a few signatures each) and scans only the blocks after
// the checkpoint. The checkpoint is written after its blocks commit and only ever claims
// committed, final blocks, so a crash between the two just leaves more blocks to scan.
import type { Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util';
import type { ChainStore } from '../store/chainStore.js';
import type { KVStore } from '../store/kv.js';
import { SCHEDULE_CHECKPOINT_KEY, Tables } from '../store/tables.js';
import { type ConsensusError, isConsensusError } from './errors.js';
import type { Address } from './types.js';
import type { TransactionView, ValidatorSchedule } from './validatorSchedule.js';
import { decodeSignedSetChange, VALIDATOR_SET_CHANGE_ADDRESS } from './validatorSetChange.js';

const GOVERNANCE_BYTES = Buffer.from(VALIDATOR_SET_CHANGE_ADDRESS.slice(2), 'hex');
const CHECKPOINT_VERSION = 1n;
/** Blocks between two checkpoints: a restart reads at most this many block bodies. */
export const DEFAULT_CHECKPOINT_EVERY = 1024;

export interface FollowValidatorScheduleParameters {
  /** The chain; the checkpoint lives in its `kv`. */
  store: ChainStore;
  schedule: ValidatorSchedule;
  common: Common;
  /** A governance change a final block carried that the schedule refused (the node logs it). */
  onRefused?: (height: number, error: ConsensusError) => void;
  /** Blocks between checkpoints (default DEFAULT_CHECKPOINT_EVERY). */
  checkpointEvery?: number;
}

/** A change the schedule took, as the chain carried it. */
interface TakenChange {
  includedAt: number;
  data: Uint8Array;
}

/** What a restart resumes from: every block up to `scannedTo` is in `changes`. */
interface ScheduleCheckpoint {
  scannedTo: bigint;
  changes: TakenChange[];
}

/** RLP [version, scannedTo, [[includedAt, data], ...]]. */
function encodeCheckpoint(c: ScheduleCheckpoint): Uint8Array {
  const num = (n: bigint | number) => bigIntToUnpaddedBytes(BigInt(n));
  return RLP.encode([
    num(CHECKPOINT_VERSION),
    num(c.scannedTo),
    c.changes.map((x) => [num(x.includedAt), x.data]),
  ]);
}

/** The checkpoint, or null when it is absent or unreadable (the follower then scans from genesis). */
function readCheckpoint(kv: KVStore): ScheduleCheckpoint | null {
  const bytes = kv.get(Tables.meta, SCHEDULE_CHECKPOINT_KEY);
  if (!bytes) return null;
  try {
    const [version, scannedTo, changes] = RLP.decode(bytes) as unknown as [
      Uint8Array,
      Uint8Array,
      [Uint8Array, Uint8Array][],
    ];
    if (bytesToBigInt(version) !== CHECKPOINT_VERSION || !Array.isArray(changes)) return null;
    return {
      scannedTo: bytesToBigInt(scannedTo),
      changes: changes.map(([at, data]) => ({ includedAt: Number(bytesToBigInt(at)), data })),
    };
  } catch {
    return null;
  }
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
 * Restores `schedule` from the checkpoint and the blocks after it, then follows new blocks.
 * @returns stop following (the node's close).
 */
export function followValidatorSchedule(p: FollowValidatorScheduleParameters): () => void {
  const every = BigInt(p.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
  const { kv } = p.store;
  const taken: TakenChange[] = [];
  const apply = (number: bigint) => {
    const txs = governanceTransactionsOf(p.store.getRawTransactions(number) ?? [], p.common);
    if (txs.length === 0) return;
    const { applied, refused } = p.schedule.applyBlock(Number(number), txs);
    for (const a of applied) taken.push({ includedAt: Number(number), data: a.data });
    for (const e of refused) p.onRefused?.(Number(number), e);
  };
  const writeCheckpoint = (scannedTo: bigint) => {
    const value = encodeCheckpoint({ scannedTo, changes: taken });
    // Only a shortcut: without it the next restart scans from the last checkpoint written.
    kv.batch([{ type: 'put', table: Tables.meta, key: SCHEDULE_CHECKPOINT_KEY, value }]).catch(() => {});
  };
  const head = p.store.headNumber();
  const scannedTo = restore(p.schedule, readCheckpoint(kv), head, taken);
  for (let n = scannedTo + 1n; n <= head; n++) apply(n);
  if (head > scannedTo) writeCheckpoint(head);
  return p.store.subscribeNewBlocks((e) => {
    apply(e.header.number);
    if (e.header.number % every === 0n) writeCheckpoint(e.header.number);
  });
}

/**
 * Re-applies the checkpoint's changes (verified again, as at first) and returns the height they
 * cover; 0 when there is none or it does not fit this chain, so that everything is scanned.
 */
function restore(
  schedule: ValidatorSchedule,
  checkpoint: ScheduleCheckpoint | null,
  head: bigint,
  taken: TakenChange[],
): bigint {
  if (!checkpoint || checkpoint.scannedTo > head) return 0n;
  try {
    for (const c of checkpoint.changes) schedule.applyChange(c.includedAt, decodeSignedSetChange(c.data));
  } catch (e) {
    if (!isConsensusError(e)) throw e;
    // The scan from genesis applies the same changes again in the same order: same schedule.
    return 0n;
  }
  taken.push(...checkpoint.changes);
  return checkpoint.scannedTo;
}
