import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Account, Address, hexToBytes } from '@ethereumjs/util';
import { initDietcoin } from '@khipu/dietcoin';
import { createExecutionCommon } from '@khipu/execution';
import { createMemoryKV } from '../store/kv.js';
import { createOverlayStateDB } from '../store/stateDB.js';
import { readAccountsAt } from './accountReader.js';
import { createStateManagerAt } from './state.js';
import { readAccountChanges } from './stateShards.js';

const EMPTY_TRIE_ROOT = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

const addressOf = (i: number) => {
  const a = new Uint8Array(20);
  new DataView(a.buffer).setUint32(16, i + 1);
  return a;
};

describe('[chain] account reader', () => {
  before(async () => {
    await initDietcoin();
  });

  it('reads what MerkleStateManager reads, absent accounts included, on small and large tries', async () => {
    const common = createExecutionCommon({ chainId: 7003n });
    for (const size of [0, 1, 2, 17, 3000]) {
      const db = createOverlayStateDB(createMemoryKV());
      const writer = createStateManagerAt(db, EMPTY_TRIE_ROOT, common);
      for (let i = 0; i < size; i++) {
        await writer.putAccount(new Address(addressOf(i)), new Account(BigInt(i), BigInt(i) * 10n ** 18n));
      }
      await writer.checkpoint();
      await writer.commit();
      const root = await writer.getStateRoot();
      const asked = [
        ...Array.from({ length: Math.min(size, 300) }, (_, i) => addressOf(i)),
        addressOf(size + 5),
      ];
      const want = await readAccountChanges(createStateManagerAt(db, root, common), asked);
      const got = await readAccountsAt(db, root, asked);
      assert.deepEqual(got, want, `${size} accounts`);
      assert.equal(got.at(-1)?.account, undefined);
      if (size > 1) assert.equal(got[1]?.account?.balance, 10n ** 18n);
    }
  });

  it('answers the known states without reading the trie, and reads the others', async () => {
    const common = createExecutionCommon({ chainId: 7003n });
    const db = createOverlayStateDB(createMemoryKV());
    const writer = createStateManagerAt(db, EMPTY_TRIE_ROOT, common);
    await writer.putAccount(new Address(addressOf(0)), new Account(1n, 5n));
    await writer.putAccount(new Address(addressOf(1)), new Account(2n, 6n));
    await writer.checkpoint();
    await writer.commit();
    const root = await writer.getStateRoot();
    const zeroRoot = new Uint8Array(32);
    const stated = { nonce: 9n, balance: 99n, storageRoot: zeroRoot, codeHash: zeroRoot };
    const known = new Map([
      [`0x${Buffer.from(addressOf(0)).toString('hex')}`, stated],
      [`0x${Buffer.from(addressOf(2)).toString('hex')}`, undefined],
    ]);
    const got = await readAccountsAt(db, root, [addressOf(0), addressOf(1), addressOf(2)], known);
    assert.equal(got[0]?.account, stated, 'known: taken as given, not read');
    assert.equal(got[1]?.account?.balance, 6n, 'unknown: read from the trie');
    assert.equal(got[2]?.account, undefined, 'known deleted');
    // The trie is not consulted for known accounts: a root without nodes still answers them.
    const onlyKnown = await readAccountsAt(db, new Uint8Array(32).fill(7), [addressOf(0)], known);
    assert.equal(onlyKnown[0]?.account, stated);
  });

  it('refuses a root whose nodes the store lacks', async () => {
    const db = createOverlayStateDB(createMemoryKV());
    await assert.rejects(readAccountsAt(db, new Uint8Array(32).fill(7), [addressOf(0)]), /missing/);
  });
});
