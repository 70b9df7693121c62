import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, privateToAddress, privateToPublic } from '@ethereumjs/util';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { Hash } from '../rpc/backend.js';
import { createTxCommon } from '../txpool/decode.js';
import { createTxPool } from '../txpool/pool.js';
import { createBlockTransactionDecoder, InvalidBlockTransaction } from './blockTransactions.js';

const CHAIN_ID = 7011n;
const alice = hexToBytes('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const GAS_LIMIT = 30_000_000n;

describe('[chain] block transactions', () => {
  const common = createTxCommon(CHAIN_ID);
  const transfer = (nonce: bigint, gasLimit = 21_000n) =>
    createFeeMarket1559Tx(
      {
        nonce,
        to: `0x${'ab'.repeat(20)}`,
        value: 5n,
        gasLimit,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      },
      { common },
    )
      .sign(alice)
      .serialize();

  before(async () => {
    await initDietcoin();
  });

  it('decodes with the sender, its public key and the hash of the bytes received', async () => {
    const raws = [transfer(0n), transfer(1n)];
    const decoded = await createBlockTransactionDecoder(CHAIN_ID, common).decode(raws, GAS_LIMIT);
    assert.equal(decoded.length, 2);
    for (const [i, t] of decoded.entries()) {
      assert.equal(bytesToHex(t.sender), bytesToHex(privateToAddress(alice)));
      assert.equal(bytesToHex(t.senderPublicKey!), bytesToHex(privateToPublic(alice)));
      assert.equal(bytesToHex(t.hash), bytesToHex(keccak256(raws[i]!)));
      assert.equal(t.raw, raws[i]);
      assert.equal(t.tx.nonce, BigInt(i));
      assert.equal(t.tx.getSenderAddress().toString(), bytesToHex(privateToAddress(alice)));
    }
  });

  it('accepts an unprotected legacy transaction (a pool policy, not a consensus rule)', async () => {
    const legacy = createLegacyTx(
      { nonce: 0n, to: `0x${'cd'.repeat(20)}`, gasLimit: 21_000n, gasPrice: 10n ** 10n },
      { common: createTxCommon(CHAIN_ID) },
    );
    // Signed without EIP-155: v is 27 or 28.
    const unprotected = legacy.sign(alice, false).serialize();
    const [t] = await createBlockTransactionDecoder(CHAIN_ID, common).decode([unprotected], GAS_LIMIT);
    assert.equal(bytesToHex(t!.sender), bytesToHex(privateToAddress(alice)));
  });

  it('names the first invalid transaction: garbage, a gas limit above the block, another chain', async () => {
    const decoder = createBlockTransactionDecoder(CHAIN_ID, common);
    const refuse = async (raws: Uint8Array[], index: number, pattern: RegExp) =>
      assert.rejects(decoder.decode(raws, GAS_LIMIT), (e) => {
        assert.ok(e instanceof InvalidBlockTransaction);
        assert.equal(e.index, index);
        assert.match(e.message, pattern);
        return true;
      });
    await refuse([transfer(0n), new Uint8Array([2, 1, 2, 3])], 1, /^transaction 1 is invalid: /);
    await refuse([transfer(0n, GAS_LIMIT + 1n)], 0, /exceeds block gas limit/);
    const foreign = createFeeMarket1559Tx(
      { nonce: 0n, to: `0x${'ab'.repeat(20)}`, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n },
      { common: createTxCommon(CHAIN_ID + 1n) },
    )
      .sign(alice)
      .serialize();
    await refuse([foreign], 0, /invalid chain id/);
  });

  it('takes what a pool decoded and decodes the rest: the same transactions as a full decode', async () => {
    const raws = [transfer(0n), transfer(1n), transfer(2n), transfer(3n)];
    const pool = await createTxPool({
      chainId: CHAIN_ID,
      state: { getNonce: () => 0n, getBalance: () => 10n ** 24n },
      blockGasLimit: GAS_LIMIT,
    });
    // The pool holds 0 and 2; 1 and 3 are decoded.
    for (const raw of [raws[0]!, raws[2]!]) await pool.submitRawTransaction(raw);
    const decoder = createBlockTransactionDecoder(CHAIN_ID, common);
    const full = await decoder.decode(raws, GAS_LIMIT);
    assert.deepEqual(decoder.lastCounts(), { known: 0, decoded: 4 });
    const lookups: string[] = [];
    const known = {
      get: (hash: Hash) => {
        lookups.push(hash);
        return pool.get(hash);
      },
    };
    const mixed = await decoder.decode(raws, GAS_LIMIT, known);
    assert.deepEqual(decoder.lastCounts(), { known: 2, decoded: 2 });
    assert.deepEqual(
      lookups,
      raws.map((r) => bytesToHex(keccak256(r))),
      'looked up by the keccak of the bytes received',
    );
    assert.equal(mixed[0]!.tx, pool.get(bytesToHex(keccak256(raws[0]!)) as Hash)!.tx, 'the pool’s object');
    const view = (t: (typeof full)[number]) => ({
      raw: bytesToHex(t.raw),
      serialized: bytesToHex(t.tx.serialize()),
      txHash: bytesToHex(t.tx.hash()),
      sender: bytesToHex(t.sender),
      senderAddress: t.tx.getSenderAddress().toString(),
      publicKey: bytesToHex(t.senderPublicKey!),
      hash: bytesToHex(t.hash),
      nonce: t.tx.nonce,
      gasLimit: t.tx.gasLimit,
      intrinsic: t.tx.getIntrinsicGas(),
    });
    assert.deepEqual(mixed.map(view), full.map(view));
  });

  it('checks a pooled transaction against the block gas limit too', async () => {
    const raw = transfer(0n, 100_000n);
    const pool = await createTxPool({
      chainId: CHAIN_ID,
      state: { getNonce: () => 0n, getBalance: () => 10n ** 24n },
      blockGasLimit: GAS_LIMIT,
    });
    await pool.submitRawTransaction(raw);
    await assert.rejects(
      createBlockTransactionDecoder(CHAIN_ID, common).decode([raw], 50_000n, pool),
      (e) =>
        e instanceof InvalidBlockTransaction && e.index === 0 && /exceeds block gas limit/.test(e.message),
    );
  });
});
