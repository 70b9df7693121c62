import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLP } from '@ethereumjs/rlp';
import { SyncError } from './errors.js';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  MAX_BLOCKS_PER_REQUEST,
  type SyncMessage,
} from './protocol.js';

const isSync = (code: string) => (e: unknown) => e instanceof SyncError && e.code === code;

describe('[Sync] wire format', () => {
  it('round-trips every message', () => {
    const messages: SyncMessage[] = [
      { type: 'statusRequest', id: 1 },
      { type: 'status', id: 2, head: 1234n },
      { type: 'blocksRequest', id: 3, from: 1n, count: MAX_BLOCKS_PER_REQUEST },
      {
        type: 'blocks',
        id: 4,
        blocks: [
          {
            headerRLP: new Uint8Array([0xc0]),
            transactions: [new Uint8Array([1, 2])],
            seals: [{ validator: `0x${'ab'.repeat(20)}`, round: 1n, signature: `0x${'cd'.repeat(65)}` }],
          },
        ],
      },
    ];
    for (const m of messages) assert.deepEqual(decodeSyncMessage(encodeSyncMessage(m)), m);
  });

  it('refuses malformed messages with typed errors', () => {
    assert.throws(() => decodeSyncMessage(new Uint8Array([0xff])), isSync('MALFORMED'));
    assert.throws(
      () => decodeSyncMessage(RLP.encode([new Uint8Array([9]), new Uint8Array([1])])),
      isSync('MALFORMED'),
    );
    assert.throws(
      () => decodeSyncMessage(RLP.encode([new Uint8Array([]), new Uint8Array([1]), new Uint8Array([1])])),
      isSync('MALFORMED'),
      'extra field',
    );
    const tooMany = encodeSyncMessage({
      type: 'blocksRequest',
      id: 1,
      from: 1n,
      count: MAX_BLOCKS_PER_REQUEST + 1,
    });
    assert.throws(() => decodeSyncMessage(tooMany), isSync('MALFORMED'), 'a request above the batch bound');
    const badSeal = RLP.encode([
      new Uint8Array([3]),
      new Uint8Array([1]),
      [[new Uint8Array([0xc0]), [], [[new Uint8Array(19), new Uint8Array([]), new Uint8Array(65)]]]],
    ]);
    assert.throws(() => decodeSyncMessage(badSeal), isSync('MALFORMED'), 'a seal of a 19-byte address');
    assert.throws(() => decodeSyncMessage(new Uint8Array(16 * 1024 * 1024 + 1)), isSync('OVERSIZED'));
  });
});
