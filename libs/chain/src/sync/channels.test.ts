import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryHub } from '../p2p/memoryTransport.js';
import { Channel, createChannelMux, createChannelValidator } from './channels.js';

const A = `0x${'aa'.repeat(20)}` as const;
const B = `0x${'bb'.repeat(20)}` as const;

describe('[Sync] channels over one transport', () => {
  it('delivers each channel to its own handler', async () => {
    const hub = createMemoryHub();
    const a = createChannelMux(hub.join(A));
    const b = createChannelMux(hub.join(B));
    const got: string[] = [];
    b(Channel.consensus).onMessage((from, bytes) => got.push(`consensus ${from} ${bytes.join()}`));
    b(Channel.sync).onMessage((from, bytes) => got.push(`sync ${from} ${bytes.join()}`));
    a(Channel.consensus).broadcast(new Uint8Array([1]));
    assert.equal(a(Channel.sync).send(B, new Uint8Array([2, 3])), true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [`consensus ${A} 1`, `sync ${A} 2,3`]);
    assert.deepEqual(a(Channel.sync).connectedPeers(), [B]);
  });

  it("routes the peer layer's check by channel and rejects an unknown or missing tag", () => {
    const validate = createChannelValidator({
      [Channel.consensus]: () => ({ verdict: 'ignore' }),
      [Channel.sync]: (bytes) =>
        bytes.length === 1 ? { verdict: 'accept' } : { verdict: 'reject', code: 'X' },
    });
    assert.deepEqual(validate(new Uint8Array([0, 5]), A), { verdict: 'ignore' });
    assert.deepEqual(validate(new Uint8Array([1, 5]), A), { verdict: 'accept' });
    assert.deepEqual(validate(new Uint8Array([1, 5, 6]), A), { verdict: 'reject', code: 'X' });
    assert.deepEqual(validate(new Uint8Array([7, 5]), A), { verdict: 'reject', code: 'UNKNOWN_CHANNEL' });
    assert.deepEqual(validate(new Uint8Array([]), A), { verdict: 'reject', code: 'UNKNOWN_CHANNEL' });
  });
});
