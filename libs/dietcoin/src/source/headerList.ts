// Header RLPs packed into large buffers, so that a million headers cost a few objects, not a
// million: a chain generator appends, a HeaderSource reads by number.
const CHUNK_BYTES = 64 * 1024 * 1024;

export class PackedHeaderList {
  private readonly chunks: Uint8Array[] = [];
  private chunkUsed = 0;
  /** Per header: chunk index, offset, length. */
  private chunkOf = new Uint32Array(1024);
  private offsetOf = new Uint32Array(1024);
  private lengthOf = new Uint32Array(1024);
  private n = 0;
  /** Bytes held by the headers. */
  bytes = 0;

  get count(): number {
    return this.n;
  }

  push(rlp: Uint8Array): void {
    if (this.n === this.chunkOf.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.chunkOf = grow(this.chunkOf);
      this.offsetOf = grow(this.offsetOf);
      this.lengthOf = grow(this.lengthOf);
    }
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.chunkUsed + rlp.length > chunk.length) {
      chunk = new Uint8Array(Math.max(CHUNK_BYTES, rlp.length));
      this.chunks.push(chunk);
      this.chunkUsed = 0;
    }
    chunk.set(rlp, this.chunkUsed);
    this.chunkOf[this.n] = this.chunks.length - 1;
    this.offsetOf[this.n] = this.chunkUsed;
    this.lengthOf[this.n] = rlp.length;
    this.chunkUsed += rlp.length;
    this.bytes += rlp.length;
    this.n++;
  }

  /** A view of header `i` (no copy), or undefined. */
  get(i: number): Uint8Array | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) return undefined;
    const o = this.offsetOf[i]!;
    return this.chunks[this.chunkOf[i]!]!.subarray(o, o + this.lengthOf[i]!);
  }
}
