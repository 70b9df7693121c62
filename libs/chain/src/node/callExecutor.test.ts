import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin } from '@khipu/dietcoin';
import type { Address, Hex } from '../rpc/backend.js';
import { ALICE_KEY, addressOfKey } from '../testing/keys.js';
import { openSoloChain, soloGenesis } from '../testing/soloChain.js';
import type { Chain } from './chain.js';

const alice = addressOfKey(ALICE_KEY);
const bob = `0x${'b0'.repeat(20)}` as Address;
const ETH = 10n ** 18n;
// Runtime: SSTORE(0, CALLVALUE) then return SLOAD(0): a call that writes storage and reads it back.
const STORE_AND_READ = '0x3460005560005460005260206000f3' as Hex;
const contract = `0x${'c0'.repeat(20)}` as Address;

describe('[chain] call executor (eth_call on a VM per state root)', () => {
  let chain: Chain;
  before(async () => {
    await initDietcoin();
    chain = await openSoloChain(
      soloGenesis({
        chainId: 7011,
        alloc: {
          [alice]: { balance: (10n * ETH).toString() },
          [contract]: { balance: '0', code: STORE_AND_READ },
        },
      }),
    );
    await chain.producer?.produceBlock();
  });

  it('concurrent calls on one root each see that root, and nothing they write stays', async () => {
    const head = chain.store.headNumber();
    const calls = Array.from({ length: 24 }, (_, i) =>
      chain.calls.call({ from: alice, to: contract, value: BigInt(i + 1), gas: 100_000n }, head),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      assert.equal(r.status, 'success');
      // Each call reads back its own write, never another call's.
      assert.equal(BigInt(r.returnData), BigInt(i + 1));
    });
    assert.equal(await chain.state.getBalance(alice, head), 10n * ETH);
    assert.equal(await chain.state.getBalance(contract, head), 0n);
    assert.equal(
      await chain.state.getStorageAt(contract, `0x${'0'.repeat(64)}` as Hex, head),
      `0x${'0'.repeat(64)}`,
    );
    // The sender's nonce is not bumped by the calls: a call with the state nonce is accepted.
    const nonced = await chain.calls.call({ from: alice, to: bob, value: 1n, gas: 21_000n, nonce: 0n }, head);
    assert.equal(nonced.status, 'success');
  });

  it('a refused call answers its reason and the next call on the same root runs normally', async () => {
    const head = chain.store.headNumber();
    const refused = await chain.calls.call(
      { from: alice, to: bob, value: 1n, gas: 21_000n, nonce: 5n },
      head,
    );
    assert.equal(refused.status, 'halt');
    assert.equal(refused.error, 'nonce too high');
    const poor = await chain.calls.call({ from: bob, to: alice, value: ETH, gas: 21_000n }, head);
    assert.equal(poor.status, 'halt');
    assert.match(poor.error ?? '', /insufficient funds/);
    const ok = await chain.calls.call({ from: alice, to: contract, value: 7n, gas: 100_000n }, head);
    assert.equal(ok.status, 'success');
    assert.equal(BigInt(ok.returnData), 7n);
  });

  it('calls at an older block read that block state after newer blocks', async () => {
    const before = chain.store.headNumber();
    await chain.producer?.produceBlock();
    await chain.producer?.produceBlock();
    for (const n of [before, chain.store.headNumber(), before]) {
      const r = await chain.calls.call({ from: alice, to: contract, value: 3n, gas: 100_000n }, n);
      assert.equal(r.status, 'success');
      assert.equal(BigInt(r.returnData), 3n);
    }
  });
});
