import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, KECCAK256_RLP, ValueEncoding } from '@ethereumjs/util';
import { AccountElement } from './accountCache.js';
import { createExecutionCommon } from './common.js';
import { executionCrypto, loadExecutionCrypto } from './crypto.js';
import { createCachedStateManager, createMemoryStateStore, StateDB } from './state.js';
import { computeStateRoot } from './stateRoot.js';

const address = (i: number) => new Address(Uint8Array.from({ length: 20 }, (_, k) => (k === 19 ? i : 0x11)));
const codeHash = Uint8Array.from({ length: 32 }, (_, k) => k + 1);

async function both() {
  await loadExecutionCrypto();
  const { keccak256 } = executionCrypto();
  const common = createExecutionCommon({ chainId: 7001 });
  const store = createMemoryStateStore();
  const db = new StateDB(store);
  const ours = await createCachedStateManager({ db, common, keccak256 });
  // Stock: the same caches, without the decoded elements.
  const stockTrie = new MerklePatriciaTrie({
    db: new StateDB(store),
    useKeyHashing: true,
    useKeyHashingFunction: keccak256,
    valueEncoding: ValueEncoding.Bytes,
    common,
  });
  const stock = new MerkleStateManager({
    common,
    trie: stockTrie,
    caches: new Caches({ account: { size: 200_000 }, storage: { size: 200_000 }, code: { size: 20_000 } }),
    prefixCodeHashes: false,
  });
  return { ours, stock, db, keccak256 };
}

describe('[execution] decoded account cache', () => {
  it('answers like the stock RLP cache through puts, deletes, checkpoints and reverts', async () => {
    const { ours, stock } = await both();
    const steps: ((sm: MerkleStateManager) => Promise<void>)[] = [
      (sm) => sm.putAccount(address(1), new Account(1n, 10n ** 24n, KECCAK256_RLP, codeHash)),
      (sm) => sm.putAccount(address(2), new Account(0n, 5n)),
      async (sm) => sm.checkpoint(),
      (sm) => sm.putAccount(address(1), new Account(2n, 7n)),
      (sm) => sm.deleteAccount(address(2)),
      (sm) => sm.putAccount(address(3), new Account(9n, 2n ** 200n)),
      async (sm) => sm.revert(),
      async (sm) => sm.checkpoint(),
      (sm) => sm.putAccount(address(2), new Account(4n, 4n)),
      async (sm) => sm.commit(),
    ];
    const read = async (sm: MerkleStateManager) =>
      Promise.all([1, 2, 3, 4].map(async (i) => (await sm.getAccount(address(i)))?.serialize()));
    for (const step of steps) {
      await step(ours);
      await step(stock);
      assert.deepEqual(await read(ours), await read(stock));
    }
    // Each get hands out a fresh account: changing it changes nothing in the cache.
    const a = (await ours.getAccount(address(1))) as Account;
    const b = (await ours.getAccount(address(1))) as Account;
    assert.notEqual(a, b);
    a.balance = 1n;
    assert.equal((await ours.getAccount(address(1)))?.balance, 10n ** 24n);
    assert.equal(b.codeSize, 0, 'as createAccountFromRLP gives');
  });

  it('holds decoded elements whose RLP is what Account.serialize gives: the same state root', async () => {
    const { ours, stock, db, keccak256 } = await both();
    const accounts = [
      new Account(3n, 10n ** 30n, KECCAK256_RLP, codeHash),
      new Account(0n, 0x80n),
      new Account(2n ** 64n, 2n ** 256n - 1n),
    ];
    for (const sm of [ours, stock]) {
      for (const [i, account] of accounts.entries()) await sm.putAccount(address(i), account);
    }
    const cache = (ours as unknown as { _caches: Caches })._caches.account;
    for (const [i, account] of accounts.entries()) {
      const element = cache?.get(address(i));
      assert.ok(element instanceof AccountElement);
      assert.deepEqual(element.accountRLP, account.serialize());
    }
    await stock.flush();
    assert.deepEqual(await computeStateRoot(ours, db, keccak256), await stock.getStateRoot());
  });

  it('reads an account missing from the cache from the trie, and an absent one as undefined', async () => {
    const { ours, db, keccak256 } = await both();
    await ours.putAccount(address(5), new Account(6n, 66n));
    await ours.setStateRoot(await computeStateRoot(ours, db, keccak256), true);
    assert.deepEqual((await ours.getAccount(address(5)))?.serialize(), new Account(6n, 66n).serialize());
    assert.equal(await ours.getAccount(address(6)), undefined);
    // A second read comes from the cache, and is the same.
    assert.deepEqual((await ours.getAccount(address(5)))?.serialize(), new Account(6n, 66n).serialize());
    assert.equal(await ours.getAccount(address(6)), undefined);
    // Reads are no changes: nothing to flush; a put over a read reverts to the read.
    const cache = (ours as unknown as { _caches: Caches })._caches.account;
    await ours.checkpoint();
    await ours.putAccount(address(5), new Account(7n, 1n));
    await ours.putAccount(address(6), new Account(1n, 1n));
    await ours.revert();
    assert.deepEqual((await ours.getAccount(address(5)))?.serialize(), new Account(6n, 66n).serialize());
    assert.equal(await ours.getAccount(address(6)), undefined);
    assert.deepEqual(cache?.flush(), []);
  });
});
