// The merge's conflict bookkeeping, by integer item ids (items.ts): which version of every item
// the merged state holds, and which version each worker share saw. Versions are 2·j for the
// worker's writes of transaction j, 2·j + 1 for its re-run's; -1 is the parent state's.
import {
  FIELD_BALANCE,
  FIELD_CODE,
  FIELD_NONCE,
  type TxAccess,
  WRITE_BALANCE,
  WRITE_CODE,
  WRITE_CREATED,
  WRITE_DELETED,
  WRITE_NONCE,
  WRITE_STORAGE_CLEARED,
} from './access.js';
import {
  ITEM_BALANCE,
  ITEM_CODE,
  ITEM_NONCE,
  ITEM_STORAGE,
  ITEMS_PER_ACCOUNT,
  ItemIds,
  Versions,
} from './items.js';

/** An item: `(ITEMS_PER_ACCOUNT · account + field) · 2` for an account field, `slot · 2 + 1` for
 *  a storage slot. */
type Item = number;

const accountItem = (account: number, field: number): Item => (account * ITEMS_PER_ACCOUNT + field) * 2;

/** No conflict ({@link MergeVersions.conflict}). */
export const NO_CONFLICT = -1;

export class MergeVersions {
  readonly ids: ItemIds;
  private readonly merged = new Versions();
  private readonly seen: Versions[];

  /** `transactions`: how many the block holds (sizes the tables: a few accounts each). */
  constructor(shares: number, transactions: number) {
    this.ids = new ItemIds(3 * transactions);
    this.seen = Array.from({ length: shares }, () => new Versions());
  }

  /** Items a transaction wrote. Increments count as writes for the merged versions (a real read
   *  of that balance must see them all) but never for what share-mates saw: a worker holds only
   *  its own share's increments, so a share-local version never stands for the merged balance. */
  written(access: TxAccess, withIncrements: boolean): Item[] {
    const items: Item[] = [];
    const ids = this.ids;
    for (const w of access.accountWrites) {
      const a = ids.account(w.address);
      if (w.flags & (WRITE_CREATED | WRITE_DELETED)) {
        for (let f = 0; f < ITEMS_PER_ACCOUNT; f++) items.push(accountItem(a, f));
      } else {
        if (w.flags & WRITE_NONCE) items.push(accountItem(a, ITEM_NONCE));
        if (w.flags & WRITE_BALANCE) items.push(accountItem(a, ITEM_BALANCE));
        if (w.flags & WRITE_CODE) items.push(accountItem(a, ITEM_CODE));
        if (w.flags & WRITE_STORAGE_CLEARED) items.push(accountItem(a, ITEM_STORAGE));
      }
    }
    for (const w of access.slotWrites) items.push(ids.slot(ids.account(w.address), w.slot) * 2 + 1);
    if (withIncrements) for (const item of this.increments(access)) items.push(item);
    return items;
  }

  /** The balances a transaction incremented. */
  increments(access: TxAccess): Item[] {
    return access.increments.map((i) => accountItem(this.ids.account(i.address), ITEM_BALANCE));
  }

  /** The first item transaction read whose merged version differs from what its share saw, or
   *  {@link NO_CONFLICT}. A slot read also reads its account's "all storage" item. */
  conflict(access: TxAccess, share: number): Item {
    const seen = this.seen[share] as Versions;
    const merged = this.merged;
    const ids = this.ids;
    for (const r of access.accountReads) {
      const a = ids.account(r.address);
      if (r.fields & FIELD_NONCE) {
        const item = accountItem(a, ITEM_NONCE);
        if (merged.get(item) !== seen.get(item)) return item;
      }
      if (r.fields & FIELD_BALANCE) {
        const item = accountItem(a, ITEM_BALANCE);
        if (merged.get(item) !== seen.get(item)) return item;
      }
      if (r.fields & FIELD_CODE) {
        const item = accountItem(a, ITEM_CODE);
        if (merged.get(item) !== seen.get(item)) return item;
      }
    }
    for (const r of access.slotReads) {
      const a = ids.account(r.address);
      const item = ids.slot(a, r.slot) * 2 + 1;
      if (merged.get(item) !== seen.get(item)) return item;
      const storage = accountItem(a, ITEM_STORAGE);
      if (merged.get(storage) !== seen.get(storage)) return storage;
    }
    return NO_CONFLICT;
  }

  /** The address of the contract whose storage slot `item` is, or undefined for account items. */
  slotAddress(item: Item): Uint8Array | undefined {
    if ((item & 1) === 0) return undefined;
    return this.ids.address(this.ids.slotOf((item - 1) / 2).account);
  }

  /** Records that the later transactions of `share` saw `items` at `version`. */
  markSeen(share: number, items: readonly Item[], version: number): void {
    const seen = this.seen[share] as Versions;
    for (const item of items) seen.set(item, version);
  }

  /** Records that the merged state holds `items` at `version`. */
  setMerged(items: readonly Item[], version: number): void {
    for (const item of items) this.merged.set(item, version);
  }

  /** True when every field of the account holds the same version merged and in `share`: the
   *  parent's, or that of a share-mate merged unchanged (then the worker's account is the merged
   *  one; a share-mate dropped or re-run differently left it stale). */
  untouched(address: Uint8Array, share: number): boolean {
    const seen = this.seen[share] as Versions;
    const a = this.ids.account(address);
    for (let f = 0; f < ITEMS_PER_ACCOUNT; f++) {
      const item = accountItem(a, f);
      if (this.merged.get(item) !== seen.get(item)) return false;
    }
    return true;
  }
}
