// The trie nodes (and code) the build thread's last blocks wrote, kept in the thread. Measured on
// blocks of 400 ERC-20 transfers: ~90 % of the thread's store reads are nodes the block before
// wrote (its new account and storage paths: libs/execution's decoded-node cache drops a block's
// writes with its pending set, so the next block reads them back from Kesque), and no node read
// from Kesque was read there again (the decoded-node cache keeps those). So this holds writes
// only, not reads.
//
// Coherence: an entry is keyed by the keccak of its value (a trie node, or code under its hash),
// so it can never be stale. It can outlive the store's copy (a block the main thread failed to
// write, a node the pruner dropped), but the thread reads only nodes reachable from the parent
// state root of the block it builds, a committed state whose nodes are all in the store: serving
// such a node from here gives the bytes the store holds, and a node reachable from no committed
// root is never asked for.

/** Default budget: a block of ~900 ERC-20 transfers writes ~4,000 nodes, ~1.5 MB. */
export const DEFAULT_RECENT_NODES_BYTES = 16 * 1024 * 1024;
/** Heap of an entry besides its value: the 64-character key string and the map slot. */
const ENTRY_OVERHEAD_BYTES = 160;

interface Entry {
  value: Uint8Array;
  /** The block that last wrote it: evicting an older block leaves it. */
  generation: number;
}

/** Recent blocks' writes by unprefixed hex key, bounded in bytes; the oldest block goes first. */
export class RecentNodes {
  readonly maxBytes: number;
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly generations: { id: number; keys: string[] }[] = [];
  private nextGeneration = 0;
  private held = 0;

  constructor(maxBytes = DEFAULT_RECENT_NODES_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** Estimated bytes held (at most `maxBytes`). */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value written under `hex`, or undefined. Counts a hit or a miss. */
  get(hex: string): Uint8Array | undefined {
    const e = this.entries.get(hex);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.value;
  }

  /** Adds one block's writes as the newest generation, then drops the oldest ones past the
   *  budget (a block larger than the whole budget keeps only what fits of its own). */
  addBlock(writes: readonly (readonly [Uint8Array, Uint8Array])[]): void {
    const id = this.nextGeneration++;
    const generation = { id, keys: [] as string[] };
    this.generations.push(generation);
    let added = 0;
    for (const [key, value] of writes) {
      const cost = value.length + ENTRY_OVERHEAD_BYTES;
      if (added + cost > this.maxBytes) break;
      const hex = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
      const old = this.entries.get(hex);
      if (old !== undefined) {
        // Written again (the same bytes): moves to this block, counted once.
        this.held -= old.value.length + ENTRY_OVERHEAD_BYTES;
      }
      this.entries.set(hex, { value, generation: id });
      generation.keys.push(hex);
      added += cost;
      this.held += cost;
    }
    while (this.held > this.maxBytes && this.generations.length > 1) {
      const oldest = this.generations.shift() as (typeof this.generations)[number];
      for (const hex of oldest.keys) {
        const e = this.entries.get(hex);
        if (e?.generation === oldest.id) {
          this.entries.delete(hex);
          this.held -= e.value.length + ENTRY_OVERHEAD_BYTES;
        }
      }
    }
  }
}
