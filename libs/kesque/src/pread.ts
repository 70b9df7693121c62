// The positioned read of the get path. `fs.readSync` validates its arguments in JavaScript
// before calling the binding, which costs about 0.3 µs a call, a fifth of a warm get. When this
// Node's `fs.readSync` is a thin wrapper that ends in `binding.read(fd, buffer, offset, length,
// position)` (Node 20.20 does), Kesque calls that binding the same way, with arguments it has
// already checked; on any other Node it uses `fs.readSync` unchanged.

import fs from 'node:fs';

type Read = (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number;

function pickRead(): { read: Read; direct: boolean } {
  try {
    const source = fs.readSync.toString();
    if (!/return binding\.read\(fd, buffer, offset, length, position\);/.test(source)) {
      return { read: fs.readSync, direct: false };
    }
    const binding = (process as unknown as { binding(name: string): { read?: Read } }).binding('fs');
    const read = binding.read;
    if (typeof read !== 'function') return { read: fs.readSync, direct: false };
    return {
      read: (fd, buffer, offset, length, position) => read(fd, buffer, offset, length, position),
      direct: true,
    };
  } catch {
    return { read: fs.readSync, direct: false };
  }
}

const picked = pickRead();

/** Reads `length` bytes at `position` of `fd` into `buffer[offset..]`; returns the count read.
 *  Callers pass an open descriptor, a buffer large enough and integer offsets. Throws the
 *  system error (with `code`) as `fs.readSync` does. */
export const pread: Read = picked.read;

/** Whether `pread` calls the binding directly (for reports). */
export const preadIsDirect = picked.direct;
