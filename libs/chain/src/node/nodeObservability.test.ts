import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util';
import { addressOfPrivateKey, initDietcoin } from '@khipu/dietcoin';
import { pino } from 'pino';
import { parseGenesisConfig } from '../genesis/config.js';
import { rpcResult } from '../testing/rpcResult.js';
import { type ChainNode, startNode } from './node.js';

const validatorKey = hexToBytes('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
const alice = hexToBytes('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const ETH = 10n ** 18n;

/** Polls `probe` until it answers true (no time bound tighter than the test runner's). */
async function until(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 100));
}

describe('[chain] a producing node: blocks by number without transactions, pruning metrics', () => {
  let dir: string;
  let node: ChainNode;
  let url: string;
  const rpc = (method: string, params: unknown[]) => rpcResult(url, method, params);

  before(async () => {
    await initDietcoin();
    dir = mkdtempSync(join(tmpdir(), 'khipu-observability-'));
    node = await startNode({
      dataDir: dir,
      genesis: parseGenesisConfig({
        chainId: 7004,
        timestamp: 1_700_000_000,
        blockTimeMs: 100,
        validators: [bytesToHex(addressOfPrivateKey(validatorKey))],
        alloc: { [bytesToHex(privateToAddress(alice))]: { balance: (1000n * ETH).toString() } },
      }),
      validatorKey,
      logger: pino({ level: 'silent' }),
      rpc: { host: '127.0.0.1', port: 0 },
      txpool: { journal: false },
      durability: { mode: 'never' },
      stateRetention: { archive: false, blocks: 2 },
    });
    url = `http://127.0.0.1:${node.address.port}`;
  });
  after(async () => {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a block without full transactions with the hashes of its full form', async () => {
    const hashes: string[] = [];
    for (let nonce = 0n; nonce < 3n; nonce++) {
      const tx = createFeeMarket1559Tx(
        {
          nonce,
          to: `0x${'b0'.repeat(20)}`,
          value: 1n,
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 10n ** 9n,
        },
        { common: node.chain.common },
      ).sign(alice);
      hashes.push((await rpc('eth_sendRawTransaction', [bytesToHex(tx.serialize())])) as string);
    }
    let receipt: { blockNumber: string } | null = null;
    await until(async () => {
      receipt = (await rpc('eth_getTransactionReceipt', [hashes.at(-1)])) as typeof receipt;
      return receipt !== null;
    });
    const number = (receipt as unknown as { blockNumber: string }).blockNumber;
    const full = (await rpc('eth_getBlockByNumber', [number, true])) as Record<string, unknown>;
    const byNumber = (await rpc('eth_getBlockByNumber', [number, false])) as Record<string, unknown>;
    const byHash = (await rpc('eth_getBlockByHash', [full.hash, false])) as Record<string, unknown>;
    const fullHashes = (full.transactions as { hash: string }[]).map((t) => t.hash);
    assert.ok(fullHashes.includes(hashes.at(-1) as string));
    for (const summary of [byNumber, byHash]) {
      assert.deepEqual(summary.transactions, fullHashes);
      assert.deepEqual({ ...summary, transactions: [] }, { ...full, transactions: [] });
    }
    assert.equal(await rpc('eth_getBlockByNumber', ['0xffffff', false]), null);
  });

  it('counts pruning cycles and exports the oldest kept state on /metrics', async () => {
    let text = '';
    await until(async () => {
      text = await (await fetch(`${url}/metrics`)).text();
      return /^khipu_chain_state_prune_cycles_total [1-9]/m.test(text);
    });
    // Before the first state-shard snapshot every state is kept for its replay: 0 here.
    assert.match(text, /^khipu_chain_state_oldest_block_number \d+$/m);
    assert.match(text, /^khipu_chain_state_prune_duration_seconds_count [1-9]/m);
    assert.match(text, /^khipu_chain_state_pruned_records_total \d+/m);
    assert.match(text, /^khipu_chain_state_prune_errors_total 0$/m);
  });
});
