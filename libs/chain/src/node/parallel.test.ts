// Parallel execution through libs/execution on a real Kesque store, against its serial mode on an
// in-memory store: the same blocks, the same roots.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util';
import { addressOfPrivateKey, initDietcoin, keccak256 } from '@khipu/dietcoin';
import { type Kesque, openKesque } from '@khipu/kesque';
import type { PendingTransaction } from '../exec/types.js';
import { parseGenesisConfig } from '../genesis/config.js';
import type { TransactionSource } from '../producer/types.js';
import { createMemoryKV } from '../store/kv.js';
import { CHAIN_TABLES } from '../store/tables.js';
import { type Chain, openChain } from './chain.js';

const validatorKey = hexToBytes('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
const keys = Array.from(
  { length: 8 },
  (_, i) => new Uint8Array(createHash('sha256').update(`sender ${i}`).digest()),
);

function source(): TransactionSource & { queue: PendingTransaction[] } {
  const s = {
    queue: [] as PendingTransaction[],
    take: () => {
      const out = s.queue;
      s.queue = [];
      return out;
    },
    onBlockCommitted: () => {},
  };
  return s;
}

describe('[chain] parallel execution on Kesque', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-parallel-'));
  let kesque: Kesque;
  let parallel: Chain;
  let reference: Chain;
  const ps = source();
  const rs = source();
  before(async () => {
    await initDietcoin();
    const genesis = parseGenesisConfig({
      chainId: 7004,
      timestamp: 1_700_000_000,
      validators: [bytesToHex(addressOfPrivateKey(validatorKey))],
      alloc: Object.fromEntries(
        keys.map((k) => [bytesToHex(privateToAddress(k)), { balance: (10n ** 21n).toString() }]),
      ),
      stateShardBits: 3,
    });
    let c1 = 1_700_000_000_000;
    let c2 = 1_700_000_000_000;
    kesque = await openKesque({ dir, tables: CHAIN_TABLES, durability: { mode: 'never' } });
    parallel = await openChain({
      kv: kesque,
      genesis,
      validatorKey,
      source: ps,
      now: () => (c1 += 1000),
      execution: { mode: 'parallel', workers: 2 },
    });
    reference = await openChain({
      kv: createMemoryKV(),
      genesis,
      validatorKey,
      source: rs,
      now: () => (c2 += 1000),
      execution: { mode: 'serial' },
    });
  });
  after(async () => {
    await parallel?.stop();
    await reference?.stop();
    await kesque?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces the same blocks as the serial reference, with independent and dependent transfers', async () => {
    for (let block = 0; block < 3; block++) {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as Uint8Array;
        // Half the senders pay the next one (a read-after-write across transactions).
        const to =
          i % 2 === 0
            ? privateToAddress(keys[(i + 1) % keys.length] as Uint8Array)
            : hexToBytes(`0x${'5a'.repeat(19)}${i.toString(16).padStart(2, '0')}`);
        for (const chain of [parallel, reference]) {
          const tx = createFeeMarket1559Tx(
            {
              nonce: BigInt(block),
              to,
              value: 10n ** 15n + BigInt(i),
              gasLimit: 21_000n,
              maxFeePerGas: 10n ** 10n,
              maxPriorityFeePerGas: 3n,
            },
            { common: chain.common },
          ).sign(key);
          const raw = tx.serialize();
          (chain === parallel ? ps : rs).queue.push({
            tx,
            raw,
            sender: tx.getSenderAddress().bytes,
            hash: keccak256(raw),
          });
        }
      }
      const a = await parallel.producer?.produceBlock();
      const b = await reference.producer?.produceBlock();
      assert.equal(a?.transactions, keys.length);
      assert.equal(a?.hash, b?.hash, `block ${block + 1}: parallel and reference agree`);
    }
    const stats = parallel.store.getStats(parallel.store.headNumber());
    assert.equal(stats?.transactions, keys.length);
    assert.equal(parallel.store.headHeader().stateRoot, reference.store.headHeader().stateRoot);
  });
});
