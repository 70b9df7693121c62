// Integer ids for the state items a block's merge compares: accounts by address and storage slots
// by (account, slot). The merge looks up every read and write of every transaction; hex-string
// keys cost an allocation and a string hash per lookup, a fifth of the coordinator's merge time.
// Here a key is hashed straight from its bytes into an open-addressing table.

/** Per-account items: nonce, balance, code, and "all storage" (cleared, or any slot read). */
export const ITEM_NONCE = 0;
export const ITEM_BALANCE = 1;
export const ITEM_CODE = 2;
export const ITEM_STORAGE = 3;
export const ITEMS_PER_ACCOUNT = 4;

const ADDRESS_BYTES = 20;
const SLOT_BYTES = 32;
/** A slot's key: its account id (4 bytes) then the slot. */
const SLOT_KEY_BYTES = 4 + SLOT_BYTES;

/** Open-addressing table of fixed-width byte keys to dense ids (0, 1, 2, … in insertion order).
 *  The hash is seeded per table, so crafted keys cannot be made to collide in advance. */
class ByteKeyTable {
  private keys: Uint8Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private readonly seed = (Math.random() * 0x100000000) >>> 0;

  /** `prefixed`: keys are a 4-byte prefix (an id) and the bytes given to {@link intern}. */
  constructor(
    private readonly width: number,
    private readonly prefixed: boolean,
    capacity: number,
  ) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.keys = new Uint8Array(capacity * width);
  }

  get size(): number {
    return this.count;
  }

  /** The key of `id` (a view into the table: copy it to keep it past the table). */
  key(id: number): Uint8Array {
    return this.keys.subarray(id * this.width, (id + 1) * this.width);
  }

  /** Id of the key in `bytes` from `offset`, after the 4-byte `prefix` when the table is
   *  prefixed; added when new. */
  intern(bytes: Uint8Array, offset: number, prefix = 0): number {
    const width = this.width;
    const start = this.prefixed ? 4 : 0;
    const n = width - start;
    let h = this.seed ^ (this.prefixed ? Math.imul(prefix + 1, 0x9e3779b1) : 0);
    // Words of 4 bytes (the widths are multiples of 4).
    for (let k = 0; k < n; k += 4) {
      const p = offset + k;
      const w =
        ((bytes[p] as number) << 24) |
        ((bytes[p + 1] as number) << 16) |
        ((bytes[p + 2] as number) << 8) |
        (bytes[p + 3] as number);
      h = Math.imul(h ^ w, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
    h ^= h >>> 16;
    const keys = this.keys;
    let s = h & this.mask;
    for (;;) {
      const id = this.slots[s] as number;
      if (id < 0) break;
      let at = id * width;
      let same = true;
      if (this.prefixed) {
        same =
          keys[at] === prefix >>> 24 &&
          keys[at + 1] === ((prefix >>> 16) & 255) &&
          keys[at + 2] === ((prefix >>> 8) & 255) &&
          keys[at + 3] === (prefix & 255);
        at += 4;
      }
      for (let k = 0; same && k < n; k++) if (keys[at + k] !== bytes[offset + k]) same = false;
      if (same) return id;
      s = (s + 1) & this.mask;
    }
    const id = this.count++;
    if ((id + 1) * width > keys.length) {
      const grown = new Uint8Array(keys.length * 2);
      grown.set(keys);
      this.keys = grown;
    }
    let at = id * width;
    if (this.prefixed) {
      this.keys[at++] = prefix >>> 24;
      this.keys[at++] = (prefix >>> 16) & 255;
      this.keys[at++] = (prefix >>> 8) & 255;
      this.keys[at++] = prefix & 255;
    }
    this.keys.set(bytes.subarray(offset, offset + n), at);
    this.slots[s] = id;
    if (this.count * 2 > this.mask) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const count = this.count;
    this.count = 0;
    const keys = this.keys;
    // Re-inserting in id order gives every key its old id back.
    for (let id = 0; id < count; id++) {
      const at = id * this.width;
      if (this.prefixed) {
        const prefix =
          (((keys[at] as number) << 24) |
            ((keys[at + 1] as number) << 16) |
            ((keys[at + 2] as number) << 8) |
            (keys[at + 3] as number)) >>>
          0;
        this.intern(keys, at + 4, prefix);
      } else this.intern(keys, at);
    }
  }
}

/** Ids of the accounts and slots of one block. */
export class ItemIds {
  private readonly accounts: ByteKeyTable;
  private readonly slots: ByteKeyTable;

  /** `accounts`: how many accounts to make room for at first (the tables grow as needed). */
  constructor(accounts = 1024) {
    this.accounts = new ByteKeyTable(ADDRESS_BYTES, false, Math.max(16, accounts));
    this.slots = new ByteKeyTable(SLOT_KEY_BYTES, true, 256);
  }

  /** Id of an account (20-byte address). */
  account(address: Uint8Array): number {
    if (address.length !== ADDRESS_BYTES) throw new RangeError(`address of ${address.length} bytes`);
    return this.accounts.intern(address, 0);
  }

  /** Id of a slot (32 bytes) of account `account`. */
  slot(account: number, slot: Uint8Array): number {
    if (slot.length !== SLOT_BYTES) throw new RangeError(`slot of ${slot.length} bytes`);
    return this.slots.intern(slot, 0, account);
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  get slotCount(): number {
    return this.slots.size;
  }

  /** The address of account `id` (a view: valid while this object lives and grows no more). */
  address(id: number): Uint8Array {
    return this.accounts.key(id);
  }

  /** The account id and slot bytes (a view) of slot `id`. */
  slotOf(id: number): { account: number; slot: Uint8Array } {
    const key = this.slots.key(id);
    const account =
      (((key[0] as number) << 24) |
        ((key[1] as number) << 16) |
        ((key[2] as number) << 8) |
        (key[3] as number)) >>>
      0;
    return { account, slot: key.subarray(4) };
  }
}

/** Versions of items by id, -1 for "as in the parent state"; grows on demand. */
export class Versions {
  private values = new Int32Array(256).fill(-1);

  get(id: number): number {
    return id < this.values.length ? (this.values[id] as number) : -1;
  }

  set(id: number, version: number): void {
    if (id >= this.values.length) {
      let size = this.values.length * 2;
      while (size <= id) size *= 2;
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[id] = version;
  }
}
