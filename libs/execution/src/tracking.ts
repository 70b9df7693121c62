// A state manager that records, per transaction, what the EVM read and wrote: account fields
// (nonce, balance, code) and storage slots. It wraps the real (cached) MerkleStateManager and
// delegates every call; reads are observed through an Account subclass whose field getters report
// to the tracker, writes are computed at the end of the transaction as the difference between the
// state the transaction started from and the state it left.
//
// Commutative accounts (the block's coinbase, the fee pool, accounts declared commutative by the
// chain) are special: when a transaction only adds to their balance (fee payments after the EVM
// returned, value sent to them), the change is recorded as an increment, not as a read and a
// write, so that such transactions never conflict with one another.
import type { StateManagerInterface } from '@ethereumjs/common';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { OriginalStorageCache } from '@ethereumjs/statemanager';
import {
  Account,
  type Address,
  bytesToUnprefixedHex,
  equalsBytes,
  KECCAK256_NULL,
  KECCAK256_RLP,
  unpadBytes,
} from '@ethereumjs/util';
import {
  FIELD_ALL,
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

interface AccountRecord {
  address: Address;
  commutative: boolean;
  /** The account when the transaction first touched it; undefined when it did not exist. */
  before: Account | undefined;
  reads: number;
  written: boolean;
  codeWritten: boolean;
  storageCleared: boolean;
}

interface SlotRecord {
  address: Address;
  slot: Uint8Array;
  before: Uint8Array;
  read: boolean;
  written: boolean;
}

/** Account whose field getters report reads to the tracker. Built only by the tracker. */
class TrackedAccount extends Account {
  // `declare`: no field initializers, since Account's constructor calls the getters first.
  declare _tracker: TrackingStateManager | undefined;
  declare _record: AccountRecord | undefined;
  /** Balance when handed out, and whether it was read since (commutative accounts only). */
  declare _baseBalance: bigint;
  declare _balanceRead: boolean;

  override get nonce(): bigint {
    this._tracker?.fieldRead(this, FIELD_NONCE);
    return super.nonce;
  }
  override set nonce(value: bigint) {
    super.nonce = value;
  }
  override get balance(): bigint {
    this._tracker?.fieldRead(this, FIELD_BALANCE);
    return super.balance;
  }
  override set balance(value: bigint) {
    super.balance = value;
  }
  override get codeHash(): Uint8Array {
    this._tracker?.fieldRead(this, FIELD_CODE);
    return super.codeHash;
  }
  override set codeHash(value: Uint8Array) {
    super.codeHash = value;
  }
}

// Account keeps codeSize private and its getter throws when unset (accounts decoded from RLP).
function rawCodeSize(account: Account): number | null {
  return (account as unknown as { _codeSize: number | null })._codeSize;
}

function copyAccount(account: Account): Account {
  return new Account(
    account.nonce,
    account.balance,
    account.storageRoot,
    account.codeHash,
    rawCodeSize(account),
  );
}

export interface TrackingOptions {
  /** Record reads (parallel runs and re-runs); writes are always recorded. */
  trackReads: boolean;
}

/**
 * StateManagerInterface over a MerkleStateManager that records each transaction's access.
 * Call {@link beginTx} before `runTx` and {@link endTx} after it (also when it threw).
 */
export class TrackingStateManager implements StateManagerInterface {
  readonly inner: MerkleStateManager;
  readonly originalStorageCache: OriginalStorageCache;
  trackReads: boolean;
  /** Addresses (unprefixed hex) whose balance only ever grows within a block. */
  commutative = new Set<string>();
  /** False before the EVM ran and after it returned: the fee payment phase. */
  inExecution = true;
  private muted = false;
  private accounts = new Map<string, AccountRecord>();
  private slots = new Map<string, SlotRecord>();
  private handedOut: TrackedAccount[] = [];

  constructor(inner: MerkleStateManager, options: TrackingOptions) {
    this.inner = inner;
    this.trackReads = options.trackReads;
    this.originalStorageCache = new OriginalStorageCache(this.getStorage.bind(this));
  }

  /** Starts recording a new transaction. */
  beginTx(): void {
    this.accounts.clear();
    this.slots.clear();
    this.handedOut.length = 0;
    this.inExecution = true;
  }

  /** Called by TrackedAccount getters. */
  fieldRead(account: TrackedAccount, field: number): void {
    const record = account._record;
    if (this.muted || record === undefined) return;
    if (record.commutative) {
      if (!this.inExecution) return;
      if (field === FIELD_BALANCE) {
        account._balanceRead = true;
        return;
      }
    }
    record.reads |= field;
  }

  /** The transaction's record of `address`, created on first touch from `current`, the account
   *  as the inner state holds it now (the caller read it already, or {@link record} reads it). */
  private recordWith(address: Address, key: string, current: Account | undefined): AccountRecord {
    let record = this.accounts.get(key);
    if (record === undefined) {
      record = {
        address,
        commutative: this.commutative.has(key),
        before: current === undefined ? undefined : copyAccount(current),
        reads: 0,
        written: false,
        codeWritten: false,
        storageCleared: false,
      };
      this.accounts.set(key, record);
    }
    return record;
  }

  private async record(address: Address): Promise<AccountRecord> {
    const key = bytesToUnprefixedHex(address.bytes);
    const record = this.accounts.get(key);
    if (record !== undefined) return record;
    this.muted = true;
    const current = await this.inner.getAccount(address);
    this.muted = false;
    return this.recordWith(address, key, current);
  }

  private async slotRecord(address: Address, slot: Uint8Array): Promise<SlotRecord> {
    const key = bytesToUnprefixedHex(address.bytes) + bytesToUnprefixedHex(slot);
    let record = this.slots.get(key);
    if (record === undefined) {
      this.muted = true;
      const before = await this.inner.getStorage(address, slot);
      this.muted = false;
      record = { address, slot: slot.slice(), before, read: false, written: false };
      this.slots.set(key, record);
    }
    return record;
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    this.muted = true;
    const account = await this.inner.getAccount(address);
    this.muted = false;
    if (!this.trackReads) return account;
    // The account just read is the one a first touch records: no second read.
    const record = this.recordWith(address, bytesToUnprefixedHex(address.bytes), account);
    if (account === undefined) {
      // Existence was read: any creation by an earlier transaction matters.
      if (!record.commutative || this.inExecution) record.reads |= FIELD_ALL;
      return undefined;
    }
    const tracked = new TrackedAccount(
      account.nonce,
      account.balance,
      account.storageRoot,
      account.codeHash,
      rawCodeSize(account),
    );
    tracked._record = record;
    tracked._tracker = this;
    tracked._baseBalance = account.balance;
    tracked._balanceRead = false;
    if (record.commutative) this.handedOut.push(tracked);
    return tracked;
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const record = await this.record(address);
    record.written = true;
    if (account instanceof TrackedAccount && account._record === record && account._balanceRead) {
      // Get, add to the balance, put back: an increment when the balance was already positive
      // (so no emptiness check could change) and only grew.
      this.muted = true;
      const grows = account._baseBalance > 0n && account.balance >= account._baseBalance;
      this.muted = false;
      if (!grows) record.reads |= FIELD_BALANCE;
      account._balanceRead = false;
    }
    this.muted = true;
    try {
      await this.inner.putAccount(address, account);
    } finally {
      this.muted = false;
    }
  }

  async deleteAccount(address: Address): Promise<void> {
    const record = await this.record(address);
    record.written = true;
    record.storageCleared = true;
    this.muted = true;
    try {
      await this.inner.deleteAccount(address);
    } finally {
      this.muted = false;
    }
  }

  async modifyAccountFields(
    address: Address,
    fields: Parameters<StateManagerInterface['modifyAccountFields']>[1],
  ) {
    const account = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    if (fields.storageRoot !== undefined) account.storageRoot = fields.storageRoot;
    if (fields.codeHash !== undefined) account.codeHash = fields.codeHash;
    await this.putAccount(address, account);
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const record = await this.record(address);
    record.written = true;
    record.codeWritten = true;
    this.muted = true;
    try {
      await this.inner.putCode(address, value);
    } finally {
      this.muted = false;
    }
  }

  async getCode(address: Address): Promise<Uint8Array> {
    if (this.trackReads) (await this.record(address)).reads |= FIELD_CODE;
    this.muted = true;
    try {
      return await this.inner.getCode(address);
    } finally {
      this.muted = false;
    }
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    if (this.trackReads) {
      const record = await this.slotRecord(address, key);
      if (!record.written) record.read = true;
    }
    this.muted = true;
    try {
      return await this.inner.getStorage(address, key);
    } finally {
      this.muted = false;
    }
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const record = await this.slotRecord(address, key);
    record.written = true;
    this.muted = true;
    try {
      await this.inner.putStorage(address, key, value);
    } finally {
      this.muted = false;
    }
  }

  async clearStorage(address: Address): Promise<void> {
    const record = await this.record(address);
    record.written = true;
    record.storageCleared = true;
    this.muted = true;
    try {
      await this.inner.clearStorage(address);
    } finally {
      this.muted = false;
    }
  }

  checkpoint(): Promise<void> {
    return this.inner.checkpoint();
  }
  commit(): Promise<void> {
    return this.inner.commit();
  }
  revert(): Promise<void> {
    return this.inner.revert();
  }
  getStateRoot(): Promise<Uint8Array> {
    return this.inner.getStateRoot();
  }
  setStateRoot(stateRoot: Uint8Array, clearCache?: boolean): Promise<void> {
    return this.inner.setStateRoot(stateRoot, clearCache);
  }
  hasStateRoot(root: Uint8Array): Promise<boolean> {
    return this.inner.hasStateRoot(root);
  }
  clearCaches(): void {
    this.inner.clearCaches();
  }
  getAppliedKey(address: Uint8Array): Uint8Array {
    return this.inner.getAppliedKey(address);
  }
  shallowCopy(): StateManagerInterface {
    return new TrackingStateManager(this.inner.shallowCopy(), { trackReads: this.trackReads });
  }

  /**
   * Ends the transaction: compares every touched account and slot with the state it left and
   * returns what it read and changed. The inner state still holds the transaction's writes.
   */
  async endTx(): Promise<TxAccess> {
    const access: TxAccess = {
      accountReads: [],
      slotReads: [],
      accountWrites: [],
      slotWrites: [],
      increments: [],
    };
    this.muted = true;
    try {
      for (const handed of this.handedOut) {
        if (handed._balanceRead && handed._record !== undefined) handed._record.reads |= FIELD_BALANCE;
      }
      const deleted = new Set<string>();
      for (const [key, record] of this.accounts) {
        let reads = record.reads;
        if (record.written || record.codeWritten || record.storageCleared) {
          const before = record.before;
          const after = await this.inner.getAccount(record.address);
          let flags = 0;
          if (after === undefined) {
            if (before !== undefined) flags = WRITE_DELETED;
          } else {
            if (before === undefined) flags |= WRITE_CREATED | WRITE_NONCE | WRITE_BALANCE | WRITE_CODE;
            else {
              if (after.nonce !== before.nonce) flags |= WRITE_NONCE;
              if (after.balance !== before.balance) flags |= WRITE_BALANCE;
              if (!equalsBytes(after.codeHash, before.codeHash)) flags |= WRITE_CODE;
            }
            if (record.storageCleared) flags |= WRITE_STORAGE_CLEARED;
          }
          if (
            record.commutative &&
            flags !== 0 &&
            (flags & ~(WRITE_BALANCE | WRITE_CREATED | WRITE_NONCE | WRITE_CODE)) === 0 &&
            after !== undefined &&
            after.nonce === (before?.nonce ?? 0n) &&
            equalsBytes(after.codeHash, before?.codeHash ?? KECCAK256_NULL) &&
            after.balance >= (before?.balance ?? 0n) &&
            (reads & FIELD_BALANCE) === 0
          ) {
            const delta = after.balance - (before?.balance ?? 0n);
            if (delta > 0n) {
              access.increments.push({ address: record.address.bytes, delta });
            }
            flags = 0;
          } else if (record.commutative && flags !== 0) {
            // Not a pure increment: treat as an ordinary read-modify-write of the whole account.
            reads = FIELD_ALL;
          }
          if (flags !== 0) {
            if (flags & WRITE_DELETED) deleted.add(key);
            const code =
              flags & WRITE_CODE && after !== undefined
                ? await this.inner.getCode(record.address)
                : new Uint8Array(0);
            access.accountWrites.push({
              address: record.address.bytes,
              flags,
              nonce: after?.nonce ?? 0n,
              balance: after?.balance ?? 0n,
              code,
              storageRoot: after?.storageRoot ?? KECCAK256_RLP,
              codeHash: after?.codeHash ?? KECCAK256_NULL,
            });
          }
        }
        if (reads !== 0) access.accountReads.push({ address: record.address.bytes, fields: reads });
      }
      for (const record of this.slots.values()) {
        if (record.read) access.slotReads.push({ address: record.address.bytes, slot: record.slot });
        if (!record.written) continue;
        if (deleted.has(bytesToUnprefixedHex(record.address.bytes))) continue;
        const after = unpadBytes(await this.inner.getStorage(record.address, record.slot));
        const before = unpadBytes(record.before);
        const cleared =
          this.accounts.get(bytesToUnprefixedHex(record.address.bytes))?.storageCleared === true;
        if (!cleared && equalsBytes(after, before)) continue;
        if (cleared && after.length === 0) continue;
        access.slotWrites.push({ address: record.address.bytes, slot: record.slot, value: after });
      }
    } finally {
      this.muted = false;
    }
    return access;
  }
}
