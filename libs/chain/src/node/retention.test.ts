import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FeeMarketEIP1559TxData } from '@ethereumjs/tx';
import { Address, bytesToHex, createContractAddress, hexToBytes, privateToAddress } from '@ethereumjs/util';
import { decodeHeader, initDietcoin, keccak256 } from '@khipu/dietcoin';
import { type Kesque, openKesque } from '@khipu/kesque';
import type { PendingTransaction } from '../exec/types.js';
import type { TransactionSource } from '../producer/types.js';
import { type Hex, StateUnavailableError } from '../rpc/backend.js';
import { createMemoryKV, type KVStore } from '../store/kv.js';
import { collectLiveKeys, KeySet } from '../store/liveNodes.js';
import type { StateRetention } from '../store/statePruner.js';
import { CHAIN_TABLES, SHARD_SNAPSHOT_KEY, Tables } from '../store/tables.js';
import { initCodeOf } from '../testing/initCode.js';
import { ALICE_KEY, addressOfKey } from '../testing/keys.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { steppingClock } from '../testing/steppingClock.js';
import type { Chain, OpenChainParameters } from './chain.js';

const alice = ALICE_KEY;
const ETH = 10n ** 18n;
// runtime: SSTORE(0, CALLDATALOAD(0)); the init code copies it out and returns it.
const runtime = hexToBytes('0x60003560005500');
const initCode = initCodeOf(runtime);

const genesis = () =>
  soloGenesis({
    chainId: 7002,
    alloc: { [addressOfKey(alice)]: { balance: (1000n * ETH).toString() } },
    stateShardBits: 3,
  });

/** Each block: alice pays a new account (the shards grow) and rewrites the contract's slot (the
 *  storage trie changes), so that every block leaves garbage behind. */
function busySource(): TransactionSource & { nonce: bigint; contract?: Uint8Array } {
  const source: TransactionSource & { nonce: bigint; contract?: Uint8Array } = {
    nonce: 0n,
    take: () => {
      const c = current as Chain;
      const fee = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n };
      const out: PendingTransaction[] = [];
      const add = (fields: FeeMarketEIP1559TxData) => {
        out.push(signFeeMarketTx(c.common, alice, { nonce: source.nonce++, ...fields, ...fee }));
      };
      if (!source.contract) {
        source.contract = new Address(privateToAddress(alice)).bytes;
        add({ gasLimit: 200_000n, data: initCode });
      } else {
        const word = new Uint8Array(32);
        new DataView(word.buffer).setBigUint64(24, source.nonce + 1n);
        add({ to: contractAddress(), gasLimit: 100_000n, data: word });
      }
      const fresh = keccak256(new TextEncoder().encode(`account ${source.nonce}`)).subarray(0, 20);
      add({ to: fresh, value: 1n, gasLimit: 21_000n });
      return out;
    },
    onBlockCommitted: () => {},
  };
  return source;
}

/** The contract alice's first transaction (nonce 0) creates. */
function contractAddress(): Uint8Array {
  return createContractAddress(new Address(privateToAddress(alice)), 0n).bytes;
}

const now = steppingClock();
/** The chain opened last: the one `busySource` builds transactions for (tests run one by one). */
let current: Chain | undefined;
async function open(
  kv: OpenChainParameters['kv'],
  state: OpenChainParameters['state'],
  source?: TransactionSource,
): Promise<Chain> {
  current = await openSoloChain(genesis(), {
    kv,
    now,
    ...(source ? { source } : {}),
    ...(state ? { state } : {}),
  });
  return current;
}

async function produce(chain: Chain, blocks: number): Promise<void> {
  const producer = chain.producer;
  assert.ok(producer);
  for (let i = 0; i < blocks; i++) await producer.produceBlock();
}

function headerShardRoot(chain: Chain, n: bigint): Hex {
  const rlp = chain.store.getHeaderRLP(n);
  assert.ok(rlp);
  return bytesToHex(decodeHeader(rlp).header.extra.shardRoot) as Hex;
}

const openStore = (dir: string): Promise<Kesque> =>
  openKesque({ dir, tables: CHAIN_TABLES, durability: { mode: 'never' } });

const CRASH_RETENTION: StateRetention = { archive: false, blocks: 4 };

/** The process the kill -9 test kills: produces blocks and prunes back to back, forever. */
async function runPruneCrashChild(dir: string): Promise<void> {
  await initDietcoin();
  const kesque = await openStore(dir);
  const source = busySource();
  const chain = await open(
    kesque,
    { retention: CRASH_RETENTION, snapshotEveryBlocks: 2, pruneEveryBlocks: 16 },
    source,
  );
  source.nonce = await chain.state.getNonce(
    bytesToHex(privateToAddress(alice)) as Hex,
    chain.store.headNumber(),
  );
  if (source.nonce > 0n) source.contract = contractAddress();
  process.stdout.write('ready\n');
  const producer = chain.producer;
  const pruner = chain.pruner;
  if (!producer || !pruner) throw new Error('the child needs a producer and a pruner');
  void (async () => {
    for (;;) await producer.produceBlock();
  })();
  for (;;) {
    const report = await pruner.prune();
    if (report) process.stdout.write(`pruned ${report.head} ${report.trie.recordsDropped}\n`);
  }
}

const crashChildDir = process.env.KHIPU_PRUNE_CRASH_DIR;
if (crashChildDir) void runPruneCrashChild(crashChildDir);
else
  describe('[chain] state retention: shard snapshots, pruning, archive', () => {
    const dirs: string[] = [];
    const tempDir = () => {
      const d = mkdtempSync(join(tmpdir(), 'khipu-retention-'));
      dirs.push(d);
      return d;
    };
    before(async () => {
      await initDietcoin();
    });
    after(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('restarts from the state-shard snapshot, replaying only the blocks after it', async () => {
      const kv = createMemoryKV();
      const source = busySource();
      const chain = await open(
        kv,
        { snapshotEveryBlocks: 10, retention: { archive: true, blocks: 128 } },
        source,
      );
      await produce(chain, 25);
      await chain.stop();
      const want = headerShardRoot(chain, 25n);

      const reopened = await open(kv, { snapshotEveryBlocks: 10, retention: { archive: true, blocks: 128 } });
      assert.deepEqual(reopened.shardsRestored, { from: 20n, replayedBlocks: 5 });
      assert.equal(bytesToHex(reopened.shards().root), want);
      await reopened.stop();

      // That restart snapshotted the head: the next one replays nothing.
      const again = await open(kv, { snapshotEveryBlocks: 10, retention: { archive: true, blocks: 128 } });
      assert.deepEqual(again.shardsRestored, { from: 25n, replayedBlocks: 0 });
      assert.equal(bytesToHex(again.shards().root), want);
      await again.stop();

      // Without a snapshot (a store from before them) the replay starts at genesis and agrees.
      await kv.batch([{ type: 'del', table: Tables.meta, key: SHARD_SNAPSHOT_KEY }]);
      const fromGenesis = await open(kv, { retention: { archive: true, blocks: 128 } });
      assert.deepEqual(fromGenesis.shardsRestored, { from: -1n, replayedBlocks: 25 });
      assert.equal(bytesToHex(fromGenesis.shards().root), want);
      await fromGenesis.stop();
    });

    it('ignores a corrupt snapshot and replays from genesis', async () => {
      const kv: KVStore = createMemoryKV();
      const chain = await open(
        kv,
        { snapshotEveryBlocks: 4, retention: { archive: true, blocks: 128 } },
        busySource(),
      );
      await produce(chain, 6);
      await chain.stop();
      await kv.batch([
        { type: 'put', table: Tables.meta, key: SHARD_SNAPSHOT_KEY, value: new Uint8Array([0xc1, 0x01]) },
      ]);
      const reopened = await open(kv, { retention: { archive: true, blocks: 128 } });
      assert.deepEqual(reopened.shardsRestored, { from: -1n, replayedBlocks: 6 });
      assert.equal(bytesToHex(reopened.shards().root), headerShardRoot(reopened, 6n));
      await reopened.stop();
    });

    it('prunes states older than the window: disk reclaimed, old blocks refused, kept ones answer, restart works', async () => {
      const dir = tempDir();
      const retention: StateRetention = { archive: false, blocks: 4 };
      let kesque = await openStore(dir);
      const source = busySource();
      // No automatic cycles: the test runs one itself.
      const chain = await open(
        kesque,
        { retention, snapshotEveryBlocks: 2, pruneEveryBlocks: 1_000_000 },
        source,
      );
      await produce(chain, 20);
      const head = chain.store.headNumber();
      const alice0 = bytesToHex(privateToAddress(alice)) as Hex;
      const contract = bytesToHex(contractAddress()) as Hex;
      const oldRoot = hexToBytes(chain.store.getHeaderByNumber(3n)?.stateRoot as Hex);
      assert.ok(kesque.get(Tables.trie, oldRoot), 'before pruning, an old root is stored');
      assert.ok(chain.pruner);

      const report = await chain.pruner.prune();
      assert.ok(report);
      assert.equal(report.head, head);
      assert.equal(report.keptFrom, head - 3n);
      assert.ok(report.trie.recordsDropped > 0, 'old trie nodes dropped');
      assert.ok(report.trie.bytesAfter < report.trie.bytesBefore, 'disk reclaimed');
      assert.equal(kesque.get(Tables.trie, oldRoot), undefined, 'the old root is gone');

      // Old states: refused with the typed error (the RPC's "historical state not available").
      await assert.rejects(async () => chain.state.getBalance(alice0, 3n), StateUnavailableError);
      await assert.rejects(
        async () => chain.state.getStorageAt(contract, `0x${'00'.repeat(32)}`, 10n),
        StateUnavailableError,
      );
      await assert.rejects(
        async () => chain.calls.call({ to: contract, gas: 100_000n }, 3n),
        StateUnavailableError,
      );
      // Kept states answer, storage and code included.
      for (let n = head - 3n; n <= head; n++) {
        assert.ok((await chain.state.getBalance(alice0, n)) > 0n);
        assert.notEqual(
          await chain.state.getStorageAt(contract, `0x${'00'.repeat(32)}`, n),
          `0x${'00'.repeat(32)}`,
        );
      }
      assert.equal(await chain.state.getCode(contract, head), bytesToHex(runtime));
      const roots = [];
      for (let n = head - 3n; n <= head; n++)
        roots.push(hexToBytes(chain.store.getHeaderByNumber(n)?.stateRoot as Hex));
      assert.deepEqual(await collectLiveKeys(kesque, roots, new KeySet()), { complete: true });

      // Blocks go on on the pruned state, and a restart resumes from the snapshot.
      await produce(chain, 3);
      await chain.stop();
      await kesque.close();
      kesque = await openStore(dir);
      const reopened = await open(
        kesque,
        { retention, snapshotEveryBlocks: 2, pruneEveryBlocks: 1_000_000 },
        source,
      );
      assert.equal(reopened.store.headNumber(), head + 3n);
      assert.ok(reopened.shardsRestored && reopened.shardsRestored.from >= head);
      assert.equal(bytesToHex(reopened.shards().root), headerShardRoot(reopened, head + 3n));
      await produce(reopened, 2);
      assert.ok((await reopened.state.getBalance(alice0, head + 5n)) > 0n);
      await reopened.stop();
      await kesque.close();
    });

    it('prunes while blocks are produced without losing a node a later state needs', async () => {
      const dir = tempDir();
      const kesque = await openStore(dir);
      const chain = await open(
        kesque,
        { retention: { archive: false, blocks: 2 }, snapshotEveryBlocks: 1, pruneEveryBlocks: 1_000_000 },
        busySource(),
      );
      await produce(chain, 6);
      assert.ok(chain.pruner);
      // A first cycle, so that the one under production has old writes to drop.
      await chain.pruner.prune();
      await produce(chain, 6);
      const cycle = chain.pruner.prune();
      await produce(chain, 6);
      const report = await cycle;
      assert.ok(report && report.trie.recordsDropped > 0);
      await produce(chain, 2);
      // A second cycle walks every kept state: a node lost by the first would fail it.
      const second = await chain.pruner.prune();
      assert.ok(second);
      const head = chain.store.headNumber();
      const roots = [];
      for (let n = head - 1n; n <= head; n++)
        roots.push(hexToBytes(chain.store.getHeaderByNumber(n)?.stateRoot as Hex));
      assert.deepEqual(await collectLiveKeys(kesque, roots, new KeySet()), { complete: true });
      await chain.stop();
      await kesque.close();
    });

    it('loses no kept state when killed (-9) while pruning and producing, 6 times', async (t) => {
      const dir = tempDir();
      let lastHead = 0n;
      let cycles = 0;
      for (let round = 0; round < 6; round++) {
        const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
          env: { ...process.env, KHIPU_PRUNE_CRASH_DIR: dir },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        let out = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('ready')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready`)));
        });
        await new Promise((resolve) => setTimeout(resolve, 1500 + Math.random() * 2500));
        child.kill('SIGKILL');
        await exited;
        cycles += out.split('\n').filter((l) => l.startsWith('pruned')).length;

        // The restart: openChain restores the shards and checks them against the head's shardRoot.
        const kesque = await openStore(dir);
        const chain = await open(kesque, { retention: CRASH_RETENTION, pruneEveryBlocks: 1_000_000 });
        const head = chain.store.headNumber();
        assert.ok(head >= lastHead, `head ${head} went back from ${lastHead}`);
        lastHead = head;
        const roots: Uint8Array[] = [];
        for (let n = chain.oldestState(); n <= head; n++) {
          roots.push(hexToBytes(chain.store.getHeaderByNumber(n)?.stateRoot as Hex));
        }
        assert.deepEqual(
          await collectLiveKeys(kesque, roots, new KeySet()),
          { complete: true },
          `round ${round}`,
        );
        assert.ok((await chain.state.getBalance(bytesToHex(privateToAddress(alice)) as Hex, head)) > 0n);
        await chain.stop();
        await kesque.close();
      }
      t.diagnostic(`${lastHead} blocks, ${cycles} pruning cycles completed between 6 kills`);
      assert.ok(lastHead > 16n, `the children produced ${lastHead} blocks`);
      assert.ok(cycles > 0, 'the children completed pruning cycles between kills');
    });

    it('keeps every state on an archive node', async () => {
      const kesque = await openStore(tempDir());
      const chain = await open(kesque, { retention: { archive: true, blocks: 128 } }, busySource());
      await produce(chain, 6);
      assert.equal(chain.pruner, undefined);
      assert.equal(chain.oldestState(), 0n);
      assert.ok((await chain.state.getBalance(bytesToHex(privateToAddress(alice)) as Hex, 1n)) > 0n);
      await chain.stop();
      await kesque.close();
    });

    it('answers the next base fee by the chain rule, floored at genesis', async () => {
      const chain = await open(createMemoryKV(), undefined);
      await produce(chain, 3);
      // Empty blocks would lower a plain EIP-1559 base fee; the chain floors it at 1 gwei.
      assert.equal(chain.store.nextBaseFeePerGas(), 1_000_000_000n);
      await chain.stop();
    });
  });
