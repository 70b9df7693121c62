import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng } from '../consensus/simulator/prng.js';
import type { Address } from '../consensus/types.js';
import { createFaultyTransport } from './faultyTransport.js';
import { createMemoryHub } from './memoryTransport.js';

const A = `0x${'0a'.repeat(20)}` as Address;
const B = `0x${'0b'.repeat(20)}` as Address;
const C = `0x${'0c'.repeat(20)}` as Address;
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('[P2P] fault-injecting transport', () => {
  it('cuts and heals links in both directions', async () => {
    const hub = createMemoryHub();
    const a = createFaultyTransport(hub.join(A));
    const b = hub.join(B);
    const c = hub.join(C);
    const got: string[] = [];
    a.onMessage((from) => got.push(`a<-${from.slice(0, 4)}`));
    b.onMessage((from) => got.push(`b<-${from.slice(0, 4)}`));
    c.onMessage((from) => got.push(`c<-${from.slice(0, 4)}`));
    a.cut(B);
    a.broadcast(new Uint8Array([1]));
    b.broadcast(new Uint8Array([2]));
    await tick();
    // a's broadcast skips b; b's broadcast reaches a's socket but a drops it.
    assert.deepEqual(got.sort(), ['c<-0x0a', 'c<-0x0b']);
    assert.deepEqual(a.connectedPeers(), [C]);
    got.length = 0;
    a.heal(B);
    a.broadcast(new Uint8Array([3]));
    b.send(A, new Uint8Array([4]));
    await tick();
    assert.deepEqual(got.sort(), ['a<-0x0b', 'b<-0x0a', 'c<-0x0a']);
  });

  it('drops at the configured rate and delays (reordering) with a seeded source', async () => {
    const hub = createMemoryHub();
    const prng = createPrng(7);
    const a = createFaultyTransport(hub.join(A), {
      dropRate: 0.5,
      delayMs: { min: 0, max: 20 },
      random: prng.next,
    });
    const b = hub.join(B);
    const got: number[] = [];
    b.onMessage((_from, bytes) => got.push(bytes[0]!));
    for (let i = 0; i < 200; i++) a.send(B, new Uint8Array([i]));
    await tick(60);
    assert.ok(got.length > 60 && got.length < 140, `${got.length} of 200 arrived`);
    assert.notDeepEqual(
      got,
      [...got].sort((x, y) => x - y),
      'delays reorder',
    );
    a.close();
  });
});
