// The producer's blocks built on the build thread over a real Kesque store, against the main
// thread's serial execution on an in-memory store: the same blocks, the same roots.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bigIntToUnpaddedBytes, generateAddress, hexToBytes, privateToAddress } from '@ethereumjs/util';
import { initDietcoin } from '@khipu/dietcoin';
import { type Kesque, openKesque } from '@khipu/kesque';
import type { BlockExecutor, PendingTransaction } from '../exec/types.js';
import { CHAIN_TABLES } from '../store/tables.js';
import { initCodeOf } from '../testing/initCode.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource } from '../testing/queueSource.js';
import { fundedAlloc, openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { createThreadBlockExecutor } from './buildThread.js';
import type { Chain } from './chain.js';

const keys = Array.from(
  { length: 4 },
  (_, i) => new Uint8Array(createHash('sha256').update(`build thread ${i}`).digest()),
);
/** Stores BLOCKHASH(NUMBER - 1) in slot 0: PUSH1 1 NUMBER SUB BLOCKHASH PUSH1 0 SSTORE STOP. */
const BLOCKHASH_RUNTIME = new Uint8Array([0x60, 0x01, 0x43, 0x03, 0x40, 0x60, 0x00, 0x55, 0x00]);

/** The context of the block after `head`, built by no one else (zero coinbase and mix hash). */
function contextAfter(head: ReturnType<Chain['store']['headHeader']>) {
  return {
    number: head.number + 1n,
    parentHash: hexToBytes(head.hash),
    timestamp: head.timestamp + 1n,
    coinbase: new Uint8Array(20),
    gasLimit: head.gasLimit,
    baseFeePerGas: head.baseFeePerGas ?? 10n ** 9n,
    mixHash: new Uint8Array(32),
  };
}

describe('[chain] build thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-build-thread-'));
  let kesque: Kesque;
  let threaded: Chain;
  let reference: Chain;
  const threadErrors: Error[] = [];
  const ts = createQueueSource();
  const rs = createQueueSource();
  before(async () => {
    await initDietcoin();
    const genesis = soloGenesis({ chainId: 7005, alloc: fundedAlloc(keys, 10n ** 21n), stateShardBits: 3 });
    kesque = await openKesque({ dir, tables: CHAIN_TABLES, durability: { mode: 'never' } });
    threaded = await openSoloChain(genesis, {
      kv: kesque,
      source: ts,
      execution: { mode: 'serial', buildThread: true },
      onBuildThreadError: (e) => threadErrors.push(e),
    });
    reference = await openSoloChain(genesis, { source: rs, execution: { mode: 'serial' } });
  });
  after(async () => {
    await threaded?.stop();
    await reference?.stop();
    await kesque?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same transaction for both chains; `withKey` hands over the sender's key as the pool does. */
  const push = (key: Uint8Array, fields: Parameters<typeof signFeeMarketTx>[2], withKey = false) => {
    for (const [chain, source] of [
      [threaded, ts],
      [reference, rs],
    ] as const) {
      const t = signFeeMarketTx(chain.common, key, fields);
      source.push(withKey ? { ...t, senderPublicKey: t.tx.getSenderPublicKey() } : t);
    }
  };

  it('produces the blocks the main thread does: transfers, a deployment, a BLOCKHASH call, a skipped transaction', async () => {
    const deployer = keys[0] as Uint8Array;
    const contract = generateAddress(privateToAddress(deployer), bigIntToUnpaddedBytes(1n));
    const nonces = keys.map(() => 0n);
    const next = (i: number) => {
      const n = nonces[i] ?? 0n;
      nonces[i] = n + 1n;
      return n;
    };
    for (let block = 0; block < 3; block++) {
      for (const [i, key] of keys.entries()) {
        push(
          key,
          {
            nonce: next(i),
            to: privateToAddress(keys[(i + 1) % keys.length] as Uint8Array),
            value: 10n ** 15n + BigInt(i),
            gasLimit: 21_000n,
          },
          i % 2 === 0,
        );
      }
      if (block === 0) {
        push(deployer, { nonce: next(0), data: initCodeOf(BLOCKHASH_RUNTIME), gasLimit: 100_000n });
        // A nonce gap: left out of the block, on both threads alike.
        push(keys[1] as Uint8Array, { nonce: 9n, to: contract, gasLimit: 21_000n });
      } else {
        push(keys[1] as Uint8Array, { nonce: next(1), to: contract, gasLimit: 60_000n });
      }
      const a = await threaded.producer?.produceBlock();
      const b = await reference.producer?.produceBlock();
      assert.equal(a?.transactions, b?.transactions);
      assert.equal(a?.skipped, b?.skipped);
      assert.equal(a?.hash, b?.hash, `block ${block + 1}: build thread and main thread agree`);
    }
    assert.deepEqual(ts.commits, rs.commits);
    assert.match(ts.commits[0] ?? '', /^1:5:nonce/);
    const slot = `0x${'00'.repeat(32)}` as const;
    const address = `0x${Buffer.from(contract).toString('hex')}` as const;
    const stored = await threaded.state.getStorageAt(address, slot, threaded.store.headNumber());
    assert.equal(stored, threaded.store.getHeaderByNumber(threaded.store.headNumber() - 1n)?.hash);
    assert.deepEqual(threadErrors, []);
  });

  it('builds on the thread, not on the fallback, and writes the state it computed', async () => {
    const used: string[] = [];
    const fallback: BlockExecutor = {
      execute: async (input) => {
        used.push(input.mode);
        return reference.executor.execute(input);
      },
    };
    const thread = createThreadBlockExecutor({
      chainId: threaded.chainId,
      kv: kesque,
      blockHash: (n) => {
        const h = threaded.store.getHeaderByNumber(n)?.hash;
        return h ? hexToBytes(h) : undefined;
      },
      fallback,
    });
    try {
      const head = threaded.store.headHeader();
      const sender = `0x${Buffer.from(privateToAddress(keys[2] as Uint8Array)).toString('hex')}` as const;
      const transaction: PendingTransaction = signFeeMarketTx(threaded.common, keys[2] as Uint8Array, {
        nonce: await threaded.state.getNonce(sender, head.number),
        to: privateToAddress(keys[3] as Uint8Array),
        value: 7n,
        gasLimit: 21_000n,
      });
      const context = contextAfter(head);
      const input = {
        parentStateRoot: hexToBytes(head.stateRoot),
        context,
        transactions: [transaction],
        mode: 'build' as const,
      };
      const out = await thread.execute(input);
      assert.deepEqual(used, []);
      assert.equal(out.included[0], transaction);
      assert.equal(out.gasUsed, 21_000n);
      const expected = await reference.executor.execute(input);
      assert.deepEqual(out.stateRoot, expected.stateRoot);
      // The state the thread computed is in the store: its root resolves there.
      assert.notEqual(kesque.get('trie', out.stateRoot), undefined);
      // A second block on the state of the first (the same height: the chain has no block there
      // to answer BLOCKHASH for): the thread computes the same state.
      const second = {
        parentStateRoot: out.stateRoot,
        context,
        transactions: [
          signFeeMarketTx(threaded.common, keys[2] as Uint8Array, {
            nonce: transaction.tx.nonce + 1n,
            to: privateToAddress(keys[3] as Uint8Array),
            value: 7n,
            gasLimit: 21_000n,
          }),
        ],
        mode: 'build' as const,
      };
      const next = await thread.execute(second);
      assert.deepEqual(used, []);
      assert.deepEqual(next.stateRoot, (await reference.executor.execute(second)).stateRoot);
    } finally {
      await thread.close();
      reference.db.discard();
    }
  });

  it('runs a build the thread failed on the fallback, and reports why', async () => {
    const used: string[] = [];
    const marker = new Error('fallback ran');
    const fallback: BlockExecutor = {
      execute: async (input) => {
        used.push(input.mode);
        throw marker;
      },
    };
    const errors: Error[] = [];
    const thread = createThreadBlockExecutor({
      chainId: threaded.chainId,
      kv: kesque,
      blockHash: () => undefined,
      fallback,
      onThreadError: (e) => errors.push(e),
    });
    try {
      const head = threaded.store.headHeader();
      const valid = signFeeMarketTx(threaded.common, keys[1] as Uint8Array, {
        nonce: 0n,
        to: privateToAddress(keys[3] as Uint8Array),
        value: 1n,
        gasLimit: 21_000n,
      });
      // Bytes of a transaction type the pool never admits: the thread cannot rebuild it.
      const raw = Uint8Array.from(valid.raw);
      raw[0] = 0x05;
      await assert.rejects(
        thread.execute({
          parentStateRoot: hexToBytes(head.stateRoot),
          context: contextAfter(head),
          transactions: [{ ...valid, raw }],
          mode: 'build',
        }),
        (e) => e === marker,
      );
      assert.deepEqual(used, ['build'], 'the block ran on the fallback');
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /transaction type 5/);
    } finally {
      await thread.close();
    }
  });
});
