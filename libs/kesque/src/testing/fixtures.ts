// Test helpers: temporary directories, a seeded PRNG, keys, and a file writer that fails on demand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type KesqueFileIO, nodeFileIO } from '../store.js';

export function tempDir(prefix = 'kesque-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 256) | 0;
  return out;
}

/** A 32-byte key derived from i (uniform enough for the index). */
export function keyOf(i: number, salt = 0): Uint8Array {
  const next = seeded(i * 2654435761 + salt * 97 + 1);
  return randomBytes(next, 32);
}

export function valueFor(i: number, length = 40 + (i % 200)): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = (i * 31 + k * 7) & 0xff;
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** A file writer that fails with `code` once `failAfter` more writes went through, and counts fsyncs. */
export class FaultyFileIO implements KesqueFileIO {
  failAfter = Number.POSITIVE_INFINITY;
  code = 'ENOSPC';
  /** Bytes of the failing write actually written before the error (a partial write). */
  partialBytes = 0;
  writes = 0;
  syncs = 0;
  failSync = false;
  onWrite: ((fd: number) => void) | undefined;

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.onWrite?.(fd);
    if (this.failAfter <= 0) {
      if (this.partialBytes > 0)
        nodeFileIO.writeSync(fd, buffer, offset, Math.min(length, this.partialBytes), position);
      throw Object.assign(new Error(`${this.code}: simulated`), { code: this.code });
    }
    this.failAfter--;
    this.writes++;
    return nodeFileIO.writeSync(fd, buffer, offset, length, position);
  }

  async fdatasync(fd: number): Promise<void> {
    this.syncs++;
    if (this.failSync) throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
    return nodeFileIO.fdatasync(fd);
  }
}

/** Copies a store directory as it is on disk now: what a kill -9 at this moment would leave. */
export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  fs.rmSync(path.join(to, 'LOCK'), { force: true });
}
