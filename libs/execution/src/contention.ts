// A worker's early look at an unordered block: if, among the first transactions it runs that read
// storage, most read a slot that an earlier one (in block order) wrote, nearly every transaction would re-run
// at the merge (every swap on one AMM pool). The worker stops and says so; the coordinator runs the
// block serially at once instead of after a wasted parallel phase.
import { bytesToUnprefixedHex } from '@ethereumjs/util';
import type { TxAccess } from './access.js';

/** Transactions a worker runs before judging (per worker). */
export const CONTENTION_SAMPLE = 16;
/** Share of the sample that must read an earlier sampled write. */
export const CONTENTION_SAMPLE_SHARE = 0.5;
/** Blocks smaller than this are not probed: their parallel phase costs little anyway. */
export const CONTENTION_PROBE_MIN_TXS = 64;

/** Counts slot conflicts among the transactions a worker ran, in block order. */
export class ContentionProbe {
  private readonly written = new Set<string>();
  private checked = 0;
  private conflicts = 0;

  constructor(
    private readonly sample = CONTENTION_SAMPLE,
    private readonly share = CONTENTION_SAMPLE_SHARE,
  ) {}

  /** Records one transaction's access; true once the sample shows the block contended. Only
   *  transactions that read storage count toward the sample (a plain transfer says nothing). */
  observe(access: TxAccess): boolean {
    if (this.checked >= this.sample || access.slotReads.length === 0) return false;
    let conflict = false;
    for (const r of access.slotReads) {
      if (this.written.has(bytesToUnprefixedHex(r.address) + bytesToUnprefixedHex(r.slot))) {
        conflict = true;
        break;
      }
    }
    for (const w of access.slotWrites)
      this.written.add(bytesToUnprefixedHex(w.address) + bytesToUnprefixedHex(w.slot));
    this.checked++;
    if (conflict) this.conflicts++;
    return this.checked === this.sample && this.conflicts > this.sample * this.share;
  }
}
