// @ethereumjs's account cache keeps every account as RLP: each getAccount decodes it (a copy per
// field, bigints through hex strings, a new Account) and each putAccount encodes it again (hex
// strings, a copy per nesting level). A transfer gets an account ~16 times and puts one ~8 times:
// about a tenth of a serial block, and much of its garbage. Here the cache's elements hold the
// account's fields instead, and make the RLP only when something asks for it (the state root's
// flush, once per changed account and block), and an account read from the trie is not recorded as
// a change (see `store`). Installed on one MerkleStateManager instance.
import type { AccountCache, MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, type Address, bytesToUnprefixedHex, createAccountFromRLP } from '@ethereumjs/util';
import { EncodedAccount, encodeAccount } from './accountRlp.js';

/**
 * An account cache element: the fields of an account as it was put (bigints are immutable; the
 * 32-byte roots are shared with the account put, as nothing writes into them in place), and its
 * RLP, byte for byte `Account.serialize()`, made on first request.
 */
export class AccountElement {
  private rlp: Uint8Array | undefined;
  constructor(
    readonly nonce: bigint,
    readonly balance: bigint,
    readonly storageRoot: Uint8Array,
    readonly codeHash: Uint8Array,
    rlp: Uint8Array | undefined,
  ) {
    this.rlp = rlp;
  }

  /** What ethereumjs reads from an element (its flush, the stock getAccount). */
  get accountRLP(): Uint8Array {
    this.rlp ??= encodeAccount(this.nonce, this.balance, this.storageRoot, this.codeHash);
    return this.rlp;
  }

  /** A new Account, as `createAccountFromRLP(accountRLP)` would give (code size 0). */
  toAccount(): Account {
    return new Account(this.nonce, this.balance, this.storageRoot, this.codeHash);
  }
}

/** What the stock cache holds for an account that does not exist (deleted, or absent). */
interface AbsentElement {
  readonly accountRLP: undefined;
}
const ABSENT: AbsentElement = Object.freeze({ accountRLP: undefined });

/** The AccountCache internals `put` works with (protected in its typings; 10.1.x). */
interface AccountCacheInternals {
  _saveCachePreState(addressHex: string): void;
  _lruCache?: { set(key: string, value: unknown): void };
  _orderedMapCache?: { setElement(key: string, value: unknown): void };
  _stats: { writes: number };
}

/** The MerkleStateManager internals the read path uses (protected in its typings; 10.1.x). */
interface StateManagerInternals {
  _caches?: { account?: AccountCache };
  _trie: { get(key: Uint8Array): Promise<Uint8Array | null> };
}

/**
 * Makes `sm`'s account cache hold decoded accounts ({@link AccountElement}) and its `getAccount`
 * build the account from them, with the same results as stock: a fresh Account per call, equal
 * fields, the same RLP at flush, the same state after a revert; only the accounts a flush writes
 * differ: the changed ones, without those merely read. Elements the stock cache writes
 * (deletions: `accountRLP` undefined) are read as before. Does nothing when `sm` has no account cache.
 */
export function installDecodedAccountCache(sm: MerkleStateManager): void {
  const inner = sm as unknown as StateManagerInternals;
  const cache = inner._caches?.account;
  if (cache === undefined) return;
  const internals = cache as unknown as AccountCacheInternals;
  const stockPut = cache.put.bind(cache);
  // `changed`: a put, recorded in the checkpoint's diff (reverted, flushed). A read from the trie
  // is not: it holds what the trie holds, which stays true until the state root moves (and then
  // the cache holds the new state), so a revert may keep it and a flush has nothing to write.
  // Stock records reads too, and its flush at the block's final commit then re-put every account
  // read outside the block's checkpoint (the producer's nonce reads) into the trie, key by key.
  const store = (address: Address, element: AccountElement | AbsentElement, changed: boolean): void => {
    const hex = bytesToUnprefixedHex(address.bytes);
    if (changed) {
      internals._saveCachePreState(hex);
      internals._stats.writes += 1;
    }
    if (internals._lruCache !== undefined) internals._lruCache.set(hex, element);
    else internals._orderedMapCache?.setElement(hex, element);
  };
  cache.put = (address: Address, account: Account | undefined, couldBePartialAccount = false): void => {
    if (account === undefined || couldBePartialAccount) {
      stockPut(address, account, couldBePartialAccount);
      return;
    }
    // The fields through their getters, as serialize() reads them (they throw when not loaded).
    const known = account instanceof EncodedAccount ? account.serialize() : undefined;
    store(
      address,
      new AccountElement(account.nonce, account.balance, account.storageRoot, account.codeHash, known),
      true,
    );
  };
  sm.getAccount = async (address: Address): Promise<Account | undefined> => {
    const element = cache.get(address) as AccountElement | { accountRLP: Uint8Array | undefined } | undefined;
    if (element instanceof AccountElement) return element.toAccount();
    if (element !== undefined) {
      return element.accountRLP !== undefined ? createAccountFromRLP(element.accountRLP) : undefined;
    }
    const rlp = await inner._trie.get(address.bytes);
    if (rlp === null) {
      store(address, ABSENT, false);
      return undefined;
    }
    const account = createAccountFromRLP(rlp);
    store(
      address,
      new AccountElement(account.nonce, account.balance, account.storageRoot, account.codeHash, undefined),
      false,
    );
    return account;
  };
}
