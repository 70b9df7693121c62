import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, FrameDecoder, FrameType } from './frame.js';

describe('[P2P] frames', () => {
  it('reassembles frames from chunks of any size', () => {
    const frames = [
      encodeFrame(FrameType.MESSAGE, new Uint8Array([1, 2, 3])),
      encodeFrame(FrameType.HELLO, new Uint8Array(300).fill(7)),
      encodeFrame(FrameType.GOODBYE, new Uint8Array(0)),
    ];
    const stream = Buffer.concat(frames);
    for (const size of [1, 2, 3, 5, 64, stream.length]) {
      const d = new FrameDecoder();
      const out = [];
      for (let i = 0; i < stream.length; i += size) out.push(...d.push(stream.subarray(i, i + size)));
      assert.deepEqual(
        out.map((f) => [f.type, f.payload.length]),
        [
          [FrameType.MESSAGE, 3],
          [FrameType.HELLO, 300],
          [FrameType.GOODBYE, 0],
        ],
        `chunks of ${size}`,
      );
    }
  });

  it('refuses an oversized frame from its header alone, a zero length and an unknown type', () => {
    const header = new Uint8Array(5);
    new DataView(header.buffer).setUint32(0, 2_000, false);
    header[4] = FrameType.MESSAGE;
    assert.throws(() => new FrameDecoder(1_000).push(header), { name: 'PeerError', code: 'OVERSIZED_FRAME' });
    assert.throws(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 0, 3])), {
      code: 'MALFORMED_FRAME',
    });
    assert.throws(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 1, 99])), {
      code: 'MALFORMED_FRAME',
    });
  });
});
