import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLP } from '@ethereumjs/rlp';
import { keccak256 } from '@khipu/dietcoin';
import type { Address } from '../rpc/backend.js';
import { signTransaction, testAccount } from '../rpc/testing/accounts.js';
import { createTxCommon } from './decode.js';
import { TxPoolError, type TxPoolErrorCode } from './errors.js';
import { type CreateTxPoolParameters, createTxPool, type TxPool } from './pool.js';
import { createWorkerSenderRecovery } from './senderRecovery.js';

const CHAIN_ID = 7777n;
const common = createTxCommon(CHAIN_ID);
const GWEI = 1_000_000_000n;
const alice = testAccount(1);
const bob = testAccount(2);
const carol = testAccount(3);
const recipient = testAccount(9).address;

class MemoryState {
  nonces = new Map<Address, bigint>();
  balances = new Map<Address, bigint>();
  getNonce(address: Address) {
    return this.nonces.get(address) ?? 0n;
  }
  getBalance(address: Address) {
    return this.balances.get(address) ?? 0n;
  }
}

function funded(): MemoryState {
  const state = new MemoryState();
  for (const a of [alice, bob, carol]) state.balances.set(a.address, 10n ** 24n);
  return state;
}

async function pool(state = funded(), extra: Partial<CreateTxPoolParameters> = {}): Promise<TxPool> {
  return createTxPool({ chainId: CHAIN_ID, state, blockGasLimit: 30_000_000n, ...extra });
}

function transfer(account = alice, nonce = 0n, fees: { cap?: bigint; tip?: bigint } = {}, more = {}) {
  return signTransaction(
    {
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: fees.cap ?? 10n * GWEI,
      maxPriorityFeePerGas: fees.tip ?? GWEI,
      gasLimit: 21_000n,
      to: recipient,
      value: 1n,
      ...more,
    },
    account,
    common,
  );
}

async function refused(p: Promise<unknown>, code: TxPoolErrorCode, message: RegExp) {
  await assert.rejects(p, (error: unknown) => {
    assert.ok(error instanceof TxPoolError, `expected a TxPoolError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('[txpool] admission', () => {
  it('admits a signed transfer, recovers its sender, and answers its hash', async () => {
    const p = await pool();
    const hash = await p.submitRawTransaction(transfer());
    const pooled = p.get(hash);
    assert.equal(pooled?.from, alice.address);
    assert.equal(pooled?.tx.getSenderAddress().toString(), alice.address);
    assert.deepEqual(p.counts(), { pending: 1, queued: 0 });
    assert.equal(p.getTransaction(hash)?.from, alice.address);
    assert.equal(p.getTransaction(hash)?.chainId, CHAIN_ID);
  });

  it('refuses a transaction signed for another chain', async () => {
    const p = await pool();
    const other = createTxCommon(1n);
    const raw = signTransaction(
      {
        type: 2,
        chainId: 1n,
        nonce: 0n,
        maxFeePerGas: GWEI,
        maxPriorityFeePerGas: 1n,
        gasLimit: 21_000n,
        to: recipient,
      },
      alice,
      other,
    );
    await refused(
      p.submitRawTransaction(raw),
      'INVALID_CHAIN_ID',
      /^invalid sender: invalid chain id for signer: have 1 want 7777$/,
    );
    const legacy = signTransaction(
      { type: 0, nonce: 0n, gasPrice: GWEI, gasLimit: 21_000n, to: recipient },
      alice,
      other,
    );
    await refused(p.submitRawTransaction(legacy), 'INVALID_CHAIN_ID', /invalid chain id/);
  });

  it('admits an EIP-155 legacy transaction and refuses an unprotected one', async () => {
    const p = await pool();
    const hash = await p.submitRawTransaction(
      signTransaction(
        { type: 0, nonce: 0n, gasPrice: GWEI, gasLimit: 21_000n, to: recipient },
        alice,
        common,
      ),
    );
    assert.equal(p.getTransaction(hash)?.chainId, CHAIN_ID);
    const unprotected = createTxCommon(CHAIN_ID);
    unprotected.setHardfork('tangerineWhistle'); // before EIP-155: signs with v = 27/28
    const raw = signTransaction(
      { type: 0, nonce: 1n, gasPrice: GWEI, gasLimit: 21_000n, to: recipient },
      alice,
      unprotected,
    );
    await refused(
      p.submitRawTransaction(raw),
      'UNPROTECTED',
      /only replay-protected \(EIP-155\) transactions allowed over RPC/,
    );
  });

  it('refuses a transaction it already holds', async () => {
    const p = await pool();
    await p.submitRawTransaction(transfer());
    await refused(p.submitRawTransaction(transfer()), 'ALREADY_KNOWN', /^already known$/);
  });

  it('refuses a nonce below the account nonce, naming both', async () => {
    const state = funded();
    state.nonces.set(alice.address, 5n);
    const p = await pool(state);
    await refused(
      p.submitRawTransaction(transfer(alice, 4n)),
      'NONCE_TOO_LOW',
      new RegExp(`^nonce too low: address ${alice.address}, tx: 4 state: 5$`),
    );
  });

  it('refuses a sender who cannot pay gas * price + value', async () => {
    const state = funded();
    state.balances.set(alice.address, 21_000n * 10n * GWEI);
    const p = await pool(state);
    await refused(
      p.submitRawTransaction(transfer()),
      'INSUFFICIENT_FUNDS',
      /^insufficient funds for gas \* price \+ value: balance 210000000000000, tx cost 210000000000001, overshot 1$/,
    );
  });

  it('refuses a transaction whose cost, added to the sender’s earlier pooled ones, overdraws', async () => {
    const state = funded();
    state.balances.set(alice.address, 21_000n * 10n * GWEI + 1n);
    const p = await pool(state);
    await p.submitRawTransaction(transfer(alice, 0n));
    await refused(
      p.submitRawTransaction(transfer(alice, 1n)),
      'INSUFFICIENT_FUNDS',
      /^insufficient funds for gas \* price \+ value/,
    );
  });

  it('refuses a tip below the minimum as underpriced', async () => {
    const p = await pool(funded(), { limits: { minTip: GWEI } });
    await refused(
      p.submitRawTransaction(transfer(alice, 0n, { tip: GWEI - 1n })),
      'UNDERPRICED',
      /^transaction underpriced: gas tip cap 999999999, minimum needed 1000000000$/,
    );
  });

  it('refuses a fee cap below the chain’s base fee floor as underpriced', async () => {
    const p = await pool(funded(), { limits: { minFeeCap: GWEI } });
    await refused(
      p.submitRawTransaction(transfer(alice, 0n, { cap: GWEI - 1n, tip: 1n })),
      'UNDERPRICED',
      /^transaction underpriced: gas fee cap 999999999, minimum needed 1000000000$/,
    );
    await p.submitRawTransaction(transfer(alice, 0n, { cap: GWEI, tip: 1n }));
  });

  it('refuses a gas limit below the intrinsic gas', async () => {
    const p = await pool();
    const raw = transfer(alice, 0n, {}, { gasLimit: 20_999n });
    await refused(
      p.submitRawTransaction(raw),
      'INTRINSIC_GAS_TOO_LOW',
      /^intrinsic gas too low: gas 20999, minimum needed 21000$/,
    );
    const withData = transfer(alice, 0n, {}, { gasLimit: 21_000n, data: new Uint8Array([1, 2, 3]) });
    await refused(p.submitRawTransaction(withData), 'INTRINSIC_GAS_TOO_LOW', /minimum needed 21048/);
  });

  it('refuses a transaction larger than the size limit as oversized data', async () => {
    const p = await pool(funded(), { limits: { maxTxBytes: 1024 } });
    const raw = transfer(alice, 0n, {}, { gasLimit: 1_000_000n, data: new Uint8Array(2000) });
    await refused(
      p.submitRawTransaction(raw),
      'OVERSIZED_DATA',
      /^oversized data: transaction size \d+, limit 1024$/,
    );
  });

  it('refuses a gas limit above the block gas limit', async () => {
    const p = await pool();
    await refused(
      p.submitRawTransaction(transfer(alice, 0n, {}, { gasLimit: 30_000_001n })),
      'GAS_LIMIT_EXCEEDED',
      /^exceeds block gas limit$/,
    );
  });

  it('refuses a tip above the fee cap', async () => {
    const p = await pool();
    // @ethereumjs refuses to build such a transaction: encode its fields by hand.
    const q = (n: bigint) =>
      n === 0n
        ? new Uint8Array(0)
        : Buffer.from(
            n
              .toString(16)
              .padStart(2, '0')
              .replace(/^(.(..)*)$/, '0$1'),
            'hex',
          );
    const fields = [
      q(CHAIN_ID),
      q(0n),
      q(2n * GWEI),
      q(GWEI),
      q(21_000n),
      Buffer.from(recipient.slice(2), 'hex'),
      q(1n),
      new Uint8Array(0),
      [],
      q(1n),
      q(12345n),
      q(6789n),
    ];
    const raw = Uint8Array.from([2, ...RLP.encode(fields)]);
    await refused(
      p.submitRawTransaction(raw),
      'TIP_ABOVE_FEE_CAP',
      /^max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: 2000000000, maxFeePerGas: 1000000000$/,
    );
  });

  it('refuses blob (type 3) and EIP-7702 (type 4) transactions, and unknown types', async () => {
    const p = await pool();
    for (const type of [3, 4, 5, 0x7f]) {
      await refused(
        p.submitRawTransaction(Uint8Array.from([type, 0xc0])),
        'TX_TYPE_NOT_SUPPORTED',
        /^transaction type not supported$/,
      );
    }
  });

  it('refuses garbage with a decoding reason, and never throws anything but a TxPoolError', async () => {
    const p = await pool();
    const samples = [
      new Uint8Array(0),
      Uint8Array.from([0xc0]),
      Uint8Array.from([2, 0xff, 0xff]),
      Uint8Array.from([0xf8, 0xff]),
    ];
    for (let i = 0; i < 200; i++)
      samples.push(Uint8Array.from({ length: 1 + (i % 90) }, (_, j) => (i * 31 + j * 17) & 0xff));
    const good = transfer();
    for (let i = 0; i < good.length; i += 7) {
      const bad = Uint8Array.from(good);
      bad[i] = (bad[i] ?? 0) ^ 0x5a;
      samples.push(bad);
    }
    for (const raw of samples) {
      try {
        await p.submitRawTransaction(raw);
      } catch (error) {
        assert.ok(error instanceof TxPoolError, `not a TxPoolError: ${String(error)}`);
      }
    }
  });
});

describe('[txpool] hashes', () => {
  it('answers keccak of the bytes sent, and refuses encodings that are not canonical', async () => {
    const p = await pool();
    const good = transfer();
    const hash = await p.submitRawTransaction(good);
    assert.equal(hash, `0x${Buffer.from(keccak256(good)).toString('hex')}`);
    // The same transaction with a non-canonical field: a padded nonce, a one-byte nonce with a
    // string prefix (0x81 0x01), a long-form list length. None may pool under another hash.
    const fields = RLP.decode(good.subarray(1)) as Uint8Array[];
    const list = (parts: Uint8Array[], longForm = false) => {
      const payload = Buffer.concat(parts);
      const header =
        longForm || payload.length > 55
          ? Buffer.from([0xf8, payload.length])
          : Buffer.from([0xc0 + payload.length]);
      return Uint8Array.from(Buffer.concat([Buffer.from([2]), header, payload]));
    };
    const encoded = fields.map((f) => RLP.encode(f));
    const variants = [
      list(encoded.map((e, i) => (i === 1 ? RLP.encode(Uint8Array.from([0, 1])) : e))),
      list(encoded.map((e, i) => (i === 1 ? Uint8Array.from([0x81, 0x01]) : e))),
      list(encoded, true),
    ];
    for (const raw of variants) {
      if (Buffer.from(raw).equals(Buffer.from(good))) continue;
      await refused(p.submitRawTransaction(raw), 'MALFORMED', /rlp|invalid transaction/);
    }
  });
});

describe('[txpool] shared Common', () => {
  it('parses every transaction with one Common whose parameters are merged once', async () => {
    const p = await pool();
    const a = p.get(await p.submitRawTransaction(transfer(alice, 0n)));
    const b = p.get(await p.submitRawTransaction(transfer(bob, 0n)));
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.tx.common, b.tx.common);
    assert.equal(a.tx.common.hardfork(), 'prague');
    assert.equal(a.tx.common.chainId(), CHAIN_ID);
    assert.equal(a.tx.getIntrinsicGas(), 21_000n);
    assert.equal(a.tx.getSenderAddress().toString(), alice.address);
  });
});

describe('[txpool] nonce order and replacement', () => {
  it('keeps a gapped transaction queued until the gap closes', async () => {
    const p = await pool();
    await p.submitRawTransaction(transfer(alice, 1n));
    assert.deepEqual(p.counts(), { pending: 0, queued: 1 });
    assert.equal(p.getPendingNonce(alice.address), 0n);
    await p.submitRawTransaction(transfer(alice, 0n));
    assert.deepEqual(p.counts(), { pending: 2, queued: 0 });
    assert.equal(p.getPendingNonce(alice.address), 2n);
    assert.equal(p.getPendingNonce(bob.address), null);
  });

  it('replaces a transaction only with both fees raised by at least 10%', async () => {
    const p = await pool();
    const first = await p.submitRawTransaction(transfer(alice, 0n, { cap: 100n * GWEI, tip: 10n * GWEI }));
    await refused(
      p.submitRawTransaction(transfer(alice, 0n, { cap: 109n * GWEI, tip: 20n * GWEI })),
      'REPLACEMENT_UNDERPRICED',
      /^replacement transaction underpriced$/,
    );
    await refused(
      p.submitRawTransaction(transfer(alice, 0n, { cap: 200n * GWEI, tip: 10n * GWEI + 1n })),
      'REPLACEMENT_UNDERPRICED',
      /replacement/,
    );
    const second = await p.submitRawTransaction(transfer(alice, 0n, { cap: 110n * GWEI, tip: 11n * GWEI }));
    assert.equal(p.get(first), undefined);
    assert.equal(p.get(second)?.nonce, 0n);
    assert.deepEqual(p.counts(), { pending: 1, queued: 0 });
  });

  it('hands the producer executable transactions by tip, each sender in nonce order', async () => {
    const p = await pool();
    await p.submitRawTransaction(transfer(alice, 0n, { tip: 1n * GWEI }));
    await p.submitRawTransaction(transfer(alice, 1n, { tip: 9n * GWEI }));
    await p.submitRawTransaction(transfer(bob, 0n, { tip: 5n * GWEI }));
    await p.submitRawTransaction(transfer(carol, 0n, { tip: 3n * GWEI }));
    await p.submitRawTransaction(transfer(carol, 2n, { tip: 9n * GWEI })); // gapped: never offered
    const order = [...p.pending(0n, 30_000_000n)].map(
      (t) => `${t.from === alice.address ? 'a' : t.from === bob.address ? 'b' : 'c'}${t.nonce}`,
    );
    assert.deepEqual(order, ['b0', 'c0', 'a0', 'a1']);
  });

  it('leaves out senders whose fee cap is below the base fee, and pop skips a sender', async () => {
    const p = await pool();
    await p.submitRawTransaction(transfer(alice, 0n, { cap: 2n * GWEI, tip: GWEI }));
    await p.submitRawTransaction(transfer(bob, 0n, { cap: 50n * GWEI, tip: GWEI }));
    await p.submitRawTransaction(transfer(bob, 1n, { cap: 50n * GWEI, tip: GWEI }));
    const pending = p.pending(5n * GWEI, 30_000_000n);
    assert.equal(pending.peek()?.from, bob.address);
    pending.pop();
    assert.equal(pending.peek(), undefined);
    // At a base fee of 1.5 gwei alice's tip is capped at 0.5 gwei.
    const cheaper = [...p.pending(GWEI + GWEI / 2n, 30_000_000n)].map((t) => t.from);
    assert.deepEqual(cheaper, [bob.address, bob.address, alice.address]);
  });

  it('removes mined transactions and the ones they made stale', async () => {
    const p = await pool();
    const a0 = await p.submitRawTransaction(transfer(alice, 0n));
    await p.submitRawTransaction(transfer(alice, 1n));
    await p.submitRawTransaction(transfer(alice, 3n));
    await p.submitRawTransaction(transfer(bob, 0n));
    p.removeMined([{ hash: a0, from: alice.address, nonce: 0n }]);
    assert.deepEqual(p.counts(), { pending: 2, queued: 1 });
    p.removeMined([{ hash: '0x00', from: alice.address, nonce: 2n }]); // nonce 1 replaced by another tx, and 2 mined
    assert.deepEqual(p.counts(), { pending: 2, queued: 0 });
    assert.equal(p.getPendingNonce(alice.address), 4n);
  });

  it('revalidate drops what state made stale or unaffordable', async () => {
    const state = funded();
    const p = await pool(state);
    await p.submitRawTransaction(transfer(alice, 0n));
    await p.submitRawTransaction(transfer(alice, 1n));
    await p.submitRawTransaction(transfer(bob, 0n));
    state.nonces.set(alice.address, 1n);
    state.balances.set(bob.address, 0n);
    await p.revalidate();
    assert.deepEqual(p.counts(), { pending: 1, queued: 0 });
    assert.equal(p.getPendingNonce(bob.address), null);
  });
});

describe('[txpool] one busy sender', () => {
  it('holds thousands of transactions from one sender, closing gaps in any order', async () => {
    const p = await pool(funded(), { limits: { accountQueue: 2000 } });
    const N = 2000;
    const raws = Array.from({ length: N }, (_, i) => transfer(alice, BigInt(i)));
    // Submit in blocks of 100 taken back to front: every block is queued until the one before it lands.
    for (let block = N / 100 - 1; block >= 0; block--) {
      for (let i = block * 100; i < (block + 1) * 100; i++) await p.submitRawTransaction(raws[i]!);
    }
    assert.deepEqual(p.counts(), { pending: N, queued: 0 });
    assert.equal(p.getPendingNonce(alice.address), BigInt(N));
    const order = [...p.pending(0n, 30_000_000n)].map((t) => Number(t.nonce));
    assert.deepEqual(
      order,
      Array.from({ length: N }, (_, i) => i),
    );
    p.removeMined(
      Array.from({ length: N / 2 }, (_, i) => ({
        hash: '0x00' as const,
        from: alice.address,
        nonce: BigInt(i),
      })),
    );
    assert.deepEqual(p.counts(), { pending: N / 2, queued: 0 });
  });
});

describe('[txpool] limits and eviction', () => {
  it('refuses past the per-sender pending and queued limits', async () => {
    const p = await pool(funded(), { limits: { accountSlots: 2, accountQueue: 1 } });
    await p.submitRawTransaction(transfer(alice, 0n));
    await p.submitRawTransaction(transfer(alice, 1n));
    await refused(
      p.submitRawTransaction(transfer(alice, 2n)),
      'ACCOUNT_LIMIT_EXCEEDED',
      /^account limit exceeded: 2 pending transactions$/,
    );
    await p.submitRawTransaction(transfer(alice, 5n));
    await refused(p.submitRawTransaction(transfer(alice, 6n)), 'ACCOUNT_LIMIT_EXCEEDED', /1 queued/);
  });

  it('when full, evicts the cheapest last-of-sender transaction for a better-paying one, else refuses', async () => {
    const p = await pool(funded(), { limits: { globalSlots: 3 } });
    await p.submitRawTransaction(transfer(alice, 0n, { cap: 20n * GWEI, tip: 2n * GWEI }));
    await p.submitRawTransaction(transfer(alice, 1n, { cap: 20n * GWEI, tip: 2n * GWEI }));
    const cheap = await p.submitRawTransaction(transfer(bob, 0n, { cap: 5n * GWEI, tip: GWEI }));
    await refused(
      p.submitRawTransaction(transfer(carol, 0n, { cap: 5n * GWEI, tip: GWEI })),
      'POOL_FULL',
      /^txpool is full$/,
    );
    const better = await p.submitRawTransaction(transfer(carol, 0n, { cap: 6n * GWEI, tip: GWEI }));
    assert.equal(p.get(cheap), undefined);
    assert.ok(p.get(better));
    assert.equal(p.counts().pending, 3);
  });

  it('evicts only a sender’s last transaction, never one that would leave a gap', async () => {
    const state = funded();
    const dave = testAccount(4);
    state.balances.set(dave.address, 10n ** 24n);
    const p = await pool(state, { limits: { globalSlots: 3 } });
    await p.submitRawTransaction(transfer(alice, 0n, { cap: 2n * GWEI, tip: GWEI })); // cheapest, but not last
    const last = await p.submitRawTransaction(transfer(alice, 1n, { cap: 3n * GWEI, tip: GWEI }));
    await p.submitRawTransaction(transfer(bob, 0n, { cap: 9n * GWEI, tip: GWEI }));
    await p.submitRawTransaction(transfer(carol, 0n, { cap: 4n * GWEI, tip: GWEI }));
    assert.equal(p.get(last), undefined);
    assert.deepEqual(p.counts(), { pending: 3, queued: 0 });
    assert.equal(p.getPendingNonce(alice.address), 1n);
    // Alice's next last is now nonce 0 (2 gwei): a 3 gwei newcomer evicts it.
    await p.submitRawTransaction(transfer(dave, 0n, { cap: 3n * GWEI, tip: GWEI }));
    assert.equal(p.getPendingNonce(alice.address), null);
    assert.deepEqual(p.counts(), { pending: 3, queued: 0 });
  });

  it('announces each admitted transaction to pending listeners', async () => {
    const p = await pool();
    const seen: string[] = [];
    const off = p.subscribePending((hash) => seen.push(hash));
    const hash = await p.submitRawTransaction(transfer());
    off();
    await p.submitRawTransaction(transfer(alice, 1n));
    assert.deepEqual(seen, [hash]);
  });
});

describe('[txpool] admission with senders recovered on a worker thread', () => {
  it('admits concurrent submissions in arrival order and refuses a bad signature among them', async () => {
    const recovery = createWorkerSenderRecovery({ maxBatch: 8 });
    try {
      const p = await pool(funded(), { recovery });
      // r = 2^256 - 1 is no x coordinate on the curve: the signature recovers nothing.
      const good = transfer(carol, 0n);
      const fields = RLP.decode(good.subarray(1)) as Uint8Array[];
      fields[10] = new Uint8Array(32).fill(0xff);
      const unrecoverable = Uint8Array.from([2, ...RLP.encode(fields)]);
      // Each sender's nonces 0..19 sent at once, interleaved: several batches in flight.
      const submissions: Promise<unknown>[] = [];
      for (let n = 0n; n < 20n; n++) {
        submissions.push(p.submitRawTransaction(transfer(alice, n)));
        if (n === 10n) submissions.push(p.submitRawTransaction(unrecoverable));
        submissions.push(p.submitRawTransaction(transfer(bob, n)));
      }
      const settled = await Promise.allSettled(submissions);
      const failures = settled.filter((s) => s.status === 'rejected');
      assert.equal(failures.length, 1);
      await refused(Promise.reject(failures[0]?.reason), 'INVALID_SENDER', /^invalid sender/);
      // Every nonce admitted in order: all pending, none queued behind a gap.
      assert.deepEqual(p.counts(), { pending: 40, queued: 0 });
      assert.equal(p.getPendingNonce(alice.address), 20n);
      assert.equal(p.getPendingNonce(bob.address), 20n);
      await refused(p.submitRawTransaction(transfer(alice, 0n)), 'ALREADY_KNOWN', /already known/);
    } finally {
      await recovery.close();
    }
  });
});
