import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bloom } from '@ethereumjs/vm';
import type { Address, BlockReader, Hash, HeaderData, LogData, ReceiptData } from './backend.js';
import { createLogIndexFromBlocks, matchesLog } from './logs.js';

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}` as const;
const address = `0x${'12'.repeat(20)}` as Address;
const topic = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hash;

function log(number: bigint, addr: Address, topics: Hash[], logIndex = 0): LogData {
  return {
    address: addr,
    topics,
    data: '0x',
    blockNumber: number,
    blockHash: topic(1000 + Number(number)),
    transactionHash: topic(2000),
    transactionIndex: 0,
    logIndex,
    removed: false,
  };
}

/** Blocks whose blooms are made by @ethereumjs's Bloom, as the core's are. */
function chainOf(blocks: LogData[][]): BlockReader {
  const headers = blocks.map((logs, n): HeaderData => {
    const bloom = new Bloom();
    for (const l of logs) {
      bloom.add(Buffer.from(l.address.slice(2), 'hex'));
      for (const t of l.topics) bloom.add(Buffer.from(t.slice(2), 'hex'));
    }
    return { number: BigInt(n), logsBloom: hex(bloom.bitvector) } as HeaderData;
  });
  let receiptReads = 0;
  const reader = {
    headNumber: () => BigInt(blocks.length - 1),
    getHeaderByNumber: (n: bigint) => headers[Number(n)] ?? null,
    getBlockReceipts: (n: bigint) => {
      receiptReads++;
      return [{ logs: blocks[Number(n)] ?? [] } as unknown as ReceiptData];
    },
    get receiptReads() {
      return receiptReads;
    },
  };
  return reader as unknown as BlockReader;
}

describe('[rpc] log index over blooms', () => {
  it('finds logs through blooms built by @ethereumjs, reading only the blocks that may match', async () => {
    const other = `0x${'34'.repeat(20)}` as Address;
    const blocks = [
      [],
      [log(1n, address, [topic(1), topic(2)])],
      [log(2n, other, [topic(3)])],
      [],
      [log(4n, address, [topic(3)], 0), log(4n, other, [topic(1)], 1)],
    ];
    const chain = chainOf(blocks);
    const index = createLogIndexFromBlocks(chain);
    const found = await index.getLogs({ fromBlock: 0n, toBlock: 4n, addresses: [address] });
    assert.deepEqual(
      found.map((l) => l.blockNumber),
      [1n, 4n],
    );
    assert.equal((chain as unknown as { receiptReads: number }).receiptReads, 2);
    const byTopic = await index.getLogs({ fromBlock: 0n, toBlock: 4n, topics: [[topic(1)]] });
    assert.deepEqual(
      byTopic.map((l) => `${l.blockNumber}:${l.address}`),
      [`1:${address}`, `4:${other}`],
    );
    const second = await index.getLogs({ fromBlock: 2n, toBlock: 4n, topics: [null, [topic(2)]] });
    assert.deepEqual(second, []);
  });

  it('refuses a query with more results than its limit', async () => {
    const blocks = [Array.from({ length: 4 }, (_, i) => log(0n, address, [], i))];
    await assert.rejects(
      async () => createLogIndexFromBlocks(chainOf(blocks), 3).getLogs({ fromBlock: 0n, toBlock: 0n }),
      /more than 3 results/,
    );
  });

  it('matches topics by position, with null wildcards and alternatives', () => {
    const l = log(1n, address, [topic(1), topic(2)]);
    assert.equal(matchesLog(l, undefined, undefined), true);
    assert.equal(matchesLog(l, [], [[topic(1)], null]), true);
    assert.equal(matchesLog(l, undefined, [null, [topic(3), topic(2)]]), true);
    assert.equal(matchesLog(l, undefined, [[]]), true); // geth: no alternative = any
    assert.equal(matchesLog(l, undefined, [null, null, null]), false);
    assert.equal(matchesLog(l, [`0x${'99'.repeat(20)}`], undefined), false);
  });
});
