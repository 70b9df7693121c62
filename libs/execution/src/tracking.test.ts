import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, equalsBytes, ValueEncoding } from '@ethereumjs/util';
import { type TxAccess, WRITE_BALANCE, WRITE_CODE, WRITE_DELETED, WRITE_NONCE } from './access.js';
import { createExecutionCommon } from './common.js';
import { executionCrypto, loadExecutionCrypto } from './crypto.js';
import { createCachedStateManager, createMemoryStateStore, StateDB } from './state.js';
import { TrackingStateManager } from './tracking.js';

const address = (i: number) => new Address(Uint8Array.from({ length: 20 }, (_, k) => (k === 19 ? i : 0x22)));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function stateManagers(): Promise<Array<[string, MerkleStateManager]>> {
  await loadExecutionCrypto();
  const { keccak256 } = executionCrypto();
  const common = createExecutionCommon({ chainId: 7001 });
  const cached = await createCachedStateManager({
    db: new StateDB(createMemoryStateStore()),
    common,
    keccak256,
  });
  // No caches: a storage write puts a new storage root into the account at once.
  const uncached = new MerkleStateManager({
    common,
    trie: new MerklePatriciaTrie({
      db: new StateDB(createMemoryStateStore()),
      useKeyHashing: true,
      useKeyHashingFunction: keccak256,
      valueEncoding: ValueEncoding.Bytes,
      common,
    }),
    prefixCodeHashes: false,
  });
  return [
    ['cached', cached],
    ['uncached', uncached],
  ];
}

/** Every reported account write holds what the inner state holds after the transaction. */
async function assertWritesAreState(tracker: TrackingStateManager, access: TxAccess): Promise<void> {
  for (const write of access.accountWrites) {
    const account = await tracker.inner.getAccount(new Address(write.address));
    if (write.flags & WRITE_DELETED) {
      assert.equal(account, undefined, hex(write.address));
      continue;
    }
    assert.ok(account !== undefined, hex(write.address));
    assert.equal(write.nonce, account.nonce);
    assert.equal(write.balance, account.balance);
    assert.ok(equalsBytes(write.storageRoot, account.storageRoot), `storage root of ${hex(write.address)}`);
    assert.ok(equalsBytes(write.codeHash, account.codeHash), `code hash of ${hex(write.address)}`);
  }
}

describe('[execution] tracking state manager', () => {
  it('reports the state a transaction left: later object changes, reverts, code, storage, deletes', async () => {
    for (const [name, sm] of await stateManagers()) {
      for (let i = 1; i <= 6; i++) await sm.putAccount(address(i), new Account(1n, 100n));
      await sm.checkpoint();
      await sm.commit();
      const tracker = new TrackingStateManager(sm, { trackReads: true });
      tracker.beginTx();
      await tracker.checkpoint();

      // Put, then the object changes without another put: the put counts.
      const a = (await tracker.getAccount(address(1))) as Account;
      a.balance = 50n;
      await tracker.putAccount(address(1), a);
      a.balance = 7n;

      // Put, a checkpoint, another put, reverted: the first put counts.
      await tracker.putAccount(address(2), new Account(2n, 100n));
      await tracker.checkpoint();
      await tracker.putAccount(address(2), new Account(3n, 999n));
      await tracker.revert();

      // Put, then code: the code hash changes after the put.
      await tracker.putAccount(address(3), new Account(1n, 90n));
      await tracker.putCode(address(3), Uint8Array.of(0x60, 0x00));

      // Put, then a storage write.
      await tracker.putAccount(address(4), new Account(1n, 80n));
      await tracker.putStorage(address(4), new Uint8Array(32), Uint8Array.of(5));

      // Put, then deleted; and deleted by putting nothing.
      await tracker.putAccount(address(5), new Account(1n, 70n));
      await tracker.deleteAccount(address(5));
      await tracker.putAccount(address(6), undefined);

      // Deleted, then put again: exists.
      await tracker.deleteAccount(address(7));
      await tracker.putAccount(address(7), new Account(0n, 1n));

      await tracker.commit();
      const access = await tracker.endTx();
      await assertWritesAreState(tracker, access);
      const byAddress = new Map(access.accountWrites.map((w) => [hex(w.address), w]));
      const write = (i: number) => byAddress.get(hex(address(i).bytes));
      assert.equal(write(1)?.balance, 50n, name);
      assert.equal(write(1)?.flags, WRITE_BALANCE, name);
      assert.equal(write(2)?.nonce, 2n, name);
      assert.equal(write(2)?.flags, WRITE_NONCE, name);
      assert.equal(write(3)?.flags, WRITE_BALANCE | WRITE_CODE, name);
      assert.equal(write(5)?.flags, WRITE_DELETED, name);
      assert.equal(write(6)?.flags, WRITE_DELETED, name);
      assert.equal(write(7)?.balance, 1n, name);
      assert.equal(access.slotWrites.length, 1, name);
    }
  });
});
