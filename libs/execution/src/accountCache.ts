// @ethereumjs's account cache keeps every account as RLP: each getAccount decodes it (a copy per
// field, bigints through hex strings, a new Account) and each putAccount encodes it again (hex
// strings, a copy per nesting level). A transfer gets an account ~16 times and puts one ~8 times:
// about a tenth of a serial block, and much of its garbage. Here the cache's elements hold the
// account's fields instead, and make the RLP only when something asks for it (the state root's
// flush, once per changed account and block). Installed on one MerkleStateManager instance.
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
 * fields, the same RLP at flush. Elements the stock cache writes (deletions: `accountRLP`
 * undefined) are read as before. Does nothing when `sm` has no account cache.
 */
export function installDecodedAccountCache(sm: MerkleStateManager): void {
  const inner = sm as unknown as StateManagerInternals;
  const cache = inner._caches?.account;
  if (cache === undefined) return;
  const internals = cache as unknown as AccountCacheInternals;
  const stockPut = cache.put.bind(cache);
  const store = (address: Address, element: AccountElement): void => {
    const hex = bytesToUnprefixedHex(address.bytes);
    internals._saveCachePreState(hex);
    if (internals._lruCache !== undefined) internals._lruCache.set(hex, element);
    else internals._orderedMapCache?.setElement(hex, element);
    internals._stats.writes += 1;
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
      stockPut(address, undefined);
      return undefined;
    }
    const account = createAccountFromRLP(rlp);
    // Not `rlp` as the element's RLP: stock re-encodes what it decoded, and so do we.
    store(
      address,
      new AccountElement(account.nonce, account.balance, account.storageRoot, account.codeHash, undefined),
    );
    return account;
  };
}
