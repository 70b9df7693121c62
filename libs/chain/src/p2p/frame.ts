// Frames on a peer connection. All integers big-endian.
//
//   offset 0  length   u32  bytes after this field (type + payload), 1 … maxFrameBytes
//   offset 4  type     u8   1 HELLO | 2 AUTH | 3 MESSAGE | 4 GOODBYE
//   offset 5  payload  length - 1 bytes
//
// The decoder is incremental (TCP delivers arbitrary chunks) and refuses a frame whose declared
// length exceeds the bound before buffering it, so a peer cannot make us hold more than one
// bounded frame.
import { PeerError } from './errors.js';

export const FRAME_HEADER_BYTES = 5;
/** Default bound of type + payload: one consensus message (8 MiB) with room to spare. */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024 + 1024;

export const FrameType = {
  HELLO: 1,
  AUTH: 2,
  MESSAGE: 3,
  GOODBYE: 4,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

export interface Frame {
  type: FrameType;
  payload: Uint8Array;
}

/** Encodes one frame. */
export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, 1 + payload.length, false);
  out[4] = type;
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Splits a byte stream into frames. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /**
   * Adds received bytes; returns the frames now complete.
   * @throws PeerError OVERSIZED_FRAME (declared length above the bound), MALFORMED_FRAME (length 0
   * or unknown type). The stream is unusable afterwards: close the connection.
   */
  push(chunk: Uint8Array): Frame[] {
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.byteLength;
    const frames: Frame[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length === 0) throw new PeerError('MALFORMED_FRAME', 'frame of length 0');
      if (length > this.maxFrameBytes) {
        throw new PeerError('OVERSIZED_FRAME', `frame of ${length} bytes exceeds ${this.maxFrameBytes}`);
      }
      if (head.length >= FRAME_HEADER_BYTES && !KNOWN_TYPES.has(head[4]!)) {
        throw new PeerError('MALFORMED_FRAME', `frame of unknown type ${head[4]}`);
      }
      if (this.buffered < 4 + length) break;
      const whole = this.take(4 + length);
      frames.push({
        type: whole[4] as FrameType,
        payload: new Uint8Array(whole.subarray(FRAME_HEADER_BYTES)),
      });
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n || this.chunks.length === 1) return this.chunks[0]!.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
