// Read-only memory maps of segment files, so that a warm get reads its record with no system call
// (the positioned read was 57% of a warm get). Node has no mmap; `@riaskov/mmap-io` (MIT, built
// from source at install) supplies it. When it cannot be loaded, or a map cannot be made, reads
// stay on `pread`: `readBackend` says which one is in use and why.
//
// A map never reaches past the file's end as it was when mapped, so no read through it can touch
// a page past the end (which would raise SIGBUS); records written later are read with `pread`
// until the table reader maps the file again. Unmapping is left to the garbage collector (the
// package has no munmap): a map is dropped when its segment leaves its slot, and Linux keeps the
// pages of an unlinked file valid until the last map of it is gone.

import { createRequire } from 'node:module';

interface MmapIo {
  map(size: number, protection: number, flags: number, fd: number, offset?: number, advise?: number): Buffer;
  readonly PROT_READ: number;
  readonly MAP_SHARED: number;
  readonly MADV_RANDOM: number;
}

/** Which read path gets use: `mmap` (maps of the segment files) or `pread` (a read call per get). */
export interface ReadBackend {
  backend: 'mmap' | 'pread';
  /** Why `pread` is in use, when it is. */
  reason?: string;
}

/** The package's sizes and offsets go through a C `int`: a map covers at most the first 2 GiB
 *  of a segment (default segments are 1 GiB); records past it are read with `pread`. */
export const MAX_MAP_BYTES = 2 ** 31 - 4096;

function load(): { mmap: MmapIo | undefined; backend: ReadBackend } {
  if (process.env.KESQUE_READ_BACKEND === 'pread') {
    return { mmap: undefined, backend: { backend: 'pread', reason: 'KESQUE_READ_BACKEND=pread' } };
  }
  try {
    const mmap = createRequire(import.meta.url)('@riaskov/mmap-io') as MmapIo;
    if (typeof mmap.map !== 'function') throw new Error('the module has no map()');
    return { mmap, backend: { backend: 'mmap' } };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      mmap: undefined,
      backend: { backend: 'pread', reason: `@riaskov/mmap-io did not load: ${why}` },
    };
  }
}

const loaded = load();

/** The read path of this process (the same in every thread: each loads the addon itself). */
export const readBackend: Readonly<ReadBackend> = Object.freeze(loaded.backend);

/** Maps the first `length` bytes of the open file `fd` read-only and shared, with readahead off
 *  (MADV_RANDOM: a cold get faults in one page, and Kesque prefetches around it on its own).
 *  Returns undefined when the backend is `pread`, `length` is 0, or the map fails (address space,
 *  a file system without mmap): the caller reads with `pread` then. */
export function mapFile(fd: number, length: number): Uint8Array | undefined {
  const mmap = loaded.mmap;
  if (mmap === undefined || length <= 0) return undefined;
  try {
    const map = mmap.map(
      Math.min(length, MAX_MAP_BYTES),
      mmap.PROT_READ,
      mmap.MAP_SHARED,
      fd,
      0,
      mmap.MADV_RANDOM,
    );
    // A plain Uint8Array over it: Buffer's `slice` would make views where Kesque means copies.
    return new Uint8Array(map.buffer, map.byteOffset, map.length);
  } catch {
    return undefined;
  }
}
