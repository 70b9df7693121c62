import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMPTFromProof, MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { createLegacyTx } from '@ethereumjs/tx';
import { Address, bytesToBigInt, bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util';
import {
  decodeAccount,
  decodeAccountProof,
  decodeSealedHeader,
  initDietcoin,
  keccak256,
  verifyAccountProof,
  verifySeals,
} from '@khipu/dietcoin';
import { isChainError } from '../errors.js';
import { FEE_POOL_ADDRESS, OUTBOX_ADDRESS } from '../genesis/config.js';
import type { TransactionSource } from '../producer/types.js';
import type { Hash, Hex } from '../rpc/backend.js';
import { ChainStore } from '../store/chainStore.js';
import { createMemoryKV, type KVStore } from '../store/kv.js';
import { Tables } from '../store/tables.js';
import { initCodeOf } from '../testing/initCode.js';
import { ALICE_KEY, addressOfKey, BOB_KEY } from '../testing/keys.js';
import { pendingOf, signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource } from '../testing/queueSource.js';
import { openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { steppingClock } from '../testing/steppingClock.js';
import type { Chain } from './chain.js';

const alice = ALICE_KEY;
const bob = BOB_KEY;
const ETH = 10n ** 18n;

// Init code that deploys a runtime which emits LOG1(topic = 0xaa..aa) with the call data and stops;
// a call with call data 0xdead reverts with the data.
//   runtime: CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY PUSH32 topic CALLDATASIZE PUSH1 0 LOG1 STOP
const TOPIC = `0x${'aa'.repeat(32)}`;
const runtime = `0x3660006000377f${'aa'.repeat(32)}366000a100`;
const initCode = bytesToHex(initCodeOf(hexToBytes(runtime as Hex))) as Hex;

function genesis(chainId = 7001) {
  return soloGenesis({
    chainId,
    alloc: {
      [addressOfKey(alice)]: { balance: (1000n * ETH).toString() },
      [addressOfKey(bob)]: { balance: (5n * ETH).toString() },
    },
    stateShardBits: 4,
  });
}

const now = steppingClock();
function open(kv: KVStore, source?: TransactionSource, chainId?: number): Promise<Chain> {
  return openSoloChain(genesis(chainId), { kv, now, ...(source ? { source } : {}) });
}

/** Sum of every balance in the state trie at `root`, and the Outbox's. */
async function sumBalances(
  chain: Chain,
  root: Hex,
): Promise<{ all: bigint; outbox: bigint; accounts: number }> {
  const trie = new MerklePatriciaTrie({ db: chain.db, root: hexToBytes(root), valueEncoding: 'view' });
  const outboxKey = bytesToHex(keccak256(hexToBytes(OUTBOX_ADDRESS)));
  let all = 0n;
  let outbox = 0n;
  let accounts = 0;
  await trie.walkAllValueNodes(async (node, key) => {
    const leaf = node as unknown as { key(): number[]; value(): Uint8Array };
    const nibbles = [...key, ...leaf.key()];
    const hashed = bytesToHex(
      new Uint8Array(nibbles.length / 2).map(
        (_, i) => ((nibbles[2 * i] ?? 0) << 4) | (nibbles[2 * i + 1] ?? 0),
      ),
    );
    const balance = decodeAccount(leaf.value()).balance;
    all += balance;
    accounts++;
    if (hashed === outboxKey) outbox = balance;
  });
  return { all, outbox, accounts };
}

describe('[chain] node core: genesis, producer, store, readers', () => {
  before(async () => {
    await initDietcoin();
  });

  it('commits genesis with a 1 gwei base fee and the validator set in extraData', async () => {
    const chain = await open(createMemoryKV());
    const g = chain.store.getHeaderByNumber(0n);
    assert.ok(g);
    assert.equal(g.baseFeePerGas, 1_000_000_000n);
    assert.equal(chain.store.headNumber(), 0n);
    const sealed = await chain.khipu.getSealedHeader(0n);
    assert.ok(sealed);
    assert.equal(sealed.extra.validatorsHash, bytesToHex(chain.validators.hash));
    assert.equal(sealed.extra.messageRoot, `0x${'00'.repeat(32)}`);
    const supply = await chain.khipu.getSupply(0n);
    assert.equal(supply?.supply, 1005n * ETH);
  });

  it('produces empty blocks and blocks of transfers, receipts, logs, reverts, seals and supply that add up', async () => {
    const kv = createMemoryKV();
    const source = createQueueSource();
    const chain = await open(kv, source);
    const producer = chain.producer;
    assert.ok(producer);
    const empty = await producer.produceBlock();
    assert.equal(empty.number, 1n);
    assert.equal(empty.transactions, 0);

    const common = chain.common;
    const fee = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n };
    const bobAddress = privateToAddress(bob);
    source.push(
      signFeeMarketTx(common, alice, { nonce: 0n, to: bobAddress, value: ETH, gasLimit: 21_000n, ...fee }),
      signFeeMarketTx(common, alice, { nonce: 1n, gasLimit: 200_000n, data: hexToBytes(initCode), ...fee }),
      pendingOf(
        createLegacyTx(
          {
            nonce: 0n,
            to: new Address(privateToAddress(alice)),
            value: 1n,
            gasLimit: 21_000n,
            gasPrice: 2n * 10n ** 9n,
          },
          { common },
        ).sign(bob),
      ),
      // nonce too high: left out, reported
      signFeeMarketTx(common, alice, { nonce: 9n, to: bobAddress, value: 1n, gasLimit: 21_000n, ...fee }),
    );
    const b2 = await producer.produceBlock();
    assert.equal(b2.transactions, 3);
    assert.equal(b2.skipped, 1);
    assert.match(source.commits.at(-1) ?? '', /^2:3:.*nonce/);
    const receipts = chain.store.getBlockReceipts(2n);
    assert.ok(receipts);
    assert.deepEqual(
      receipts.map((r) => r.status),
      [1, 1, 1],
    );
    // The block size is the length of the block's RLP, as Ethereum clients compute it.
    const raws = chain.store.getRawTransactions(2n) ?? [];
    const blockRLP = RLP.encode([
      RLP.decode(chain.store.getHeaderRLP(2n) ?? new Uint8Array()) as Uint8Array[],
      raws.map((r) => ((r[0] ?? 0) >= 0xc0 ? (RLP.decode(r) as Uint8Array[]) : r)),
      [],
      [],
    ]);
    assert.equal(chain.store.getBlockByNumber(2n)?.size, BigInt(blockRLP.length));
    // The summary (hashes only, what block watchers poll) agrees with the block2 block: from
    // the commit's cache, and from the stored body by a store with no cache.
    const block2 = chain.store.getBlockByNumber(2n);
    const expected = { transactionHashes: block2?.transactions.map((t) => t.hash), size: block2?.size };
    for (const store of [chain.store, new ChainStore({ kv, common: chain.common })]) {
      const summary = store.getBlockSummaryByNumber(2n);
      assert.deepEqual({ transactionHashes: summary?.transactionHashes, size: summary?.size }, expected);
      assert.equal(summary?.header.hash, block2?.header.hash);
      assert.deepEqual(store.getBlockSummaryByHash(block2?.header.hash as Hash), summary);
    }
    assert.equal(chain.store.getBlockSummaryByNumber(99n), null);
    const contract = receipts[1]?.contractAddress;
    assert.ok(contract);
    assert.equal(receipts[0]?.gasUsed, 21_000n);
    assert.equal(
      receipts[2]?.cumulativeGasUsed,
      (receipts[0]?.gasUsed ?? 0n) + (receipts[1]?.gasUsed ?? 0n) + 21_000n,
    );

    // A call to the contract: a log; eth_call of 0xdead... returns nothing but succeeds.
    source.push(
      signFeeMarketTx(common, alice, {
        nonce: 2n,
        to: new Address(hexToBytes(contract)),
        data: hexToBytes('0xdeadbeef'),
        gasLimit: 100_000n,
        ...fee,
      }),
    );
    await producer.produceBlock();
    const [r3] = chain.store.getBlockReceipts(3n) ?? [];
    assert.equal(r3?.logs.length, 1);
    assert.equal(r3?.logs[0]?.topics[0], TOPIC);
    assert.equal(r3?.logs[0]?.data, '0xdeadbeef');
    const logs = chain.store.getLogs({ fromBlock: 0n, toBlock: 3n, topics: [[TOPIC as Hex]] });
    assert.equal(logs.length, 1);
    assert.equal(
      chain.store.getLogs({ fromBlock: 0n, toBlock: 3n, addresses: [bytesToHex(bobAddress) as Hex] }).length,
      0,
    );
    const tx = chain.store.getTransaction(r3?.transactionHash as Hex);
    assert.equal(tx?.blockNumber, 3n);
    assert.equal(tx?.transaction.from, bytesToHex(privateToAddress(alice)));

    // Balances: bob got 1 ETH and paid 21000 * 2 gwei (legacy: all of it at gasPrice) and sent 1 wei.
    const head = chain.store.headNumber();
    assert.equal(
      await chain.state.getBalance(bytesToHex(bobAddress) as Hex, head),
      6n * ETH - 21_000n * 2n * 10n ** 9n - 1n,
    );
    assert.equal(await chain.state.getNonce(bytesToHex(privateToAddress(alice)) as Hex, head), 3n);
    assert.equal(await chain.state.getCode(contract, head), runtime);

    // Supply: the sum of all balances but the Outbox's is the reported supply; the fee pool got
    // baseFee × gasUsed of every block.
    let pool = 0n;
    for (let n = 1n; n <= head; n++) {
      const h = chain.store.getHeaderByNumber(n);
      pool += (h?.baseFeePerGas ?? 0n) * (h?.gasUsed ?? 0n);
    }
    const supply = await chain.khipu.getSupply(head);
    const headHeader = chain.store.headHeader();
    const sum = await sumBalances(chain, headHeader.stateRoot);
    assert.equal(supply?.supply, sum.all - sum.outbox);
    assert.equal(supply?.supply, 1005n * ETH);
    assert.equal(supply?.feePool, pool);
    assert.equal(await chain.state.getBalance(FEE_POOL_ADDRESS, head), pool);

    // Seals verify against the validator set; the next header carries them as parentSeals.
    await producer.produceBlock();
    const sealed3 = await chain.khipu.getSealedHeader(3n);
    assert.ok(sealed3);
    const decoded = decodeSealedHeader(hexToBytes(sealed3.encoded));
    const v = verifySeals({
      chainId: chain.chainId,
      height: 3,
      round: 0,
      blockHash: hexToBytes(sealed3.header.hash),
      validators: chain.validators,
      quorum: 'count',
      seals: decoded.seals.seals,
    });
    assert.equal(v.power, 1n);
    const sealed4 = await chain.khipu.getSealedHeader(4n);
    assert.deepEqual(sealed4?.extra.parentSeals, sealed3.seals);

    // eth_getProof verifies against the block's stateRoot with @ethereumjs/mpt.
    const proof = await chain.state.getProof(bytesToHex(bobAddress) as Hex, [], head);
    const value = await verifyMerkleProof(
      keccak256(bobAddress),
      proof.accountProof.map((p) => hexToBytes(p)),
      {
        useKeyHashing: false,
      },
    );
    assert.ok(value);
    const [, balance] = RLP.decode(value) as Uint8Array[];
    assert.equal(bytesToBigInt(balance as Uint8Array), proof.balance);
    const trie = await createMPTFromProof(
      proof.accountProof.map((p) => hexToBytes(p)),
      { useKeyHashing: true },
    );
    assert.equal(bytesToHex(trie.root()), chain.store.getHeaderByNumber(head)?.stateRoot);

    // The account's state-shard proof verifies against the header's shardRoot.
    const shardProof = await chain.khipu.getAccountShardProof(
      bytesToHex(bobAddress) as Hex,
      chain.store.headNumber(),
    );
    assert.ok(shardProof);
    const account = verifyAccountProof({
      proof: decodeAccountProof(hexToBytes(shardProof.proof)),
      address: bobAddress,
      shardRoot: hexToBytes(sealed4?.extra.shardRoot ?? '0x'),
    });
    assert.equal(
      account.balance,
      await chain.state.getBalance(bytesToHex(bobAddress) as Hex, chain.store.headNumber()),
    );
    // ...and for a past block, rebuilt from its trie.
    const past = await chain.khipu.getAccountShardProof(bytesToHex(bobAddress) as Hex, 1n);
    assert.equal(past?.balance, 5n * ETH);
    await chain.stop();
  });

  it('on its timer, follows a block that overran its interval at once, one block per interval', async () => {
    const interval = 400;
    const starts: number[] = [];
    const ends: number[] = [];
    const source: TransactionSource = {
      take: async () => {
        starts.push(Date.now());
        // The second block overruns into the next interval.
        if (starts.length === 2) await new Promise((r) => setTimeout(r, interval + 100));
        return [];
      },
      onBlockCommitted: () => {
        ends.push(Date.now());
      },
    };
    const config = { ...genesis(), blockTimeMs: interval };
    // The real clock: the producer's timer paces the blocks.
    const chain = await openSoloChain(config, { source, now: Date.now });
    chain.producer?.start();
    while (ends.length < 5) await new Promise((r) => setTimeout(r, 50));
    await chain.stop();
    const slot = (t: number) => Math.floor(t / interval);
    // Never two blocks for one interval.
    for (let i = 1; i < starts.length; i++)
      assert.ok(slot(starts[i] as number) > slot(starts[i - 1] as number));
    // The block after the slow one is for the interval the slow one ended in: not skipped.
    assert.ok(slot(ends[1] as number) > slot(starts[1] as number), 'the second block overran');
    assert.equal(slot(starts[2] as number), slot(ends[1] as number));
  });

  it('resumes from the stored head after reopening, and refuses another genesis', async () => {
    const kv = createMemoryKV();
    const first = await open(kv);
    await first.producer?.produceBlock();
    await first.producer?.produceBlock();
    const head = first.store.headHeader();
    await first.stop();
    const again = await open(kv);
    assert.equal(again.store.headNumber(), 2n);
    assert.equal(again.store.headHeader().stateRoot, head.stateRoot);
    assert.equal(bytesToHex(again.shards().root), (await again.khipu.getSealedHeader(2n))?.extra.shardRoot);
    const b3 = await again.producer?.produceBlock();
    assert.equal(b3?.number, 3n);
    assert.equal(again.store.getHeaderByNumber(3n)?.parentHash, head.hash);
    await assert.rejects(open(kv, undefined, 7002), (e) => isChainError(e, 'GENESIS_MISMATCH'));
  });

  it('after a restart, replays the state shards so that new blocks match a node that never stopped', async () => {
    // New accounts are appended to their shard in the order blocks create them: a rebuild from
    // the state alone would order them differently.
    const fresh = (i: number) => hexToBytes(`0x${(i * 7919 + 17).toString(16).padStart(40, '0')}` as Hex);
    const run = async (kv: KVStore, restartAfter: number | undefined) => {
      const src = createQueueSource();
      const now = steppingClock();
      let chain = await openSoloChain(genesis(), { kv, now, source: src });
      for (let b = 0; b < 3; b++) {
        if (b === restartAfter) {
          await chain.stop();
          chain = await openSoloChain(genesis(), { kv, now, source: src });
        }
        for (let i = 0; i < 6; i++) {
          src.push(
            signFeeMarketTx(chain.common, alice, {
              nonce: BigInt(b * 6 + i),
              to: fresh(b * 6 + i),
              value: 1n + BigInt(i),
              gasLimit: 21_000n,
            }),
          );
        }
        await chain.producer?.produceBlock();
      }
      const hash = chain.store.headHeader().hash;
      await chain.stop();
      return hash;
    };
    const continuous = await run(createMemoryKV(), undefined);
    const restarted = await run(createMemoryKV(), 2);
    assert.equal(restarted, continuous);
  });

  it('never shows a block whose batch did not complete', async () => {
    const inner = createMemoryKV();
    let fail = false;
    const kv: KVStore = {
      get: (t, k) => inner.get(t, k),
      batch: async (ops) => {
        if (fail) throw new Error('disk full');
        return inner.batch(ops);
      },
    };
    const chain = await open(kv);
    await chain.producer?.produceBlock();
    fail = true;
    await assert.rejects(chain.producer?.produceBlock() ?? Promise.reject(), /disk full/);
    assert.equal(chain.store.headNumber(), 1n);
    assert.equal(inner.get(Tables.header, 2), undefined);
    fail = false;
    const b = await chain.producer?.produceBlock();
    assert.equal(b?.number, 2n);
  });
});
