// The files of a store on disk: their allocated size, and their pages in the OS page cache
// (dropped with GNU dd's `iflag=nocache count=0`, loaded by reading them through, checked with
// util-linux `fincore`).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file under `dir`, recursively. */
export function listStoreFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listStoreFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Bytes the files under `dir` occupy on disk (allocated blocks, so sparse files count as stored). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const file of listStoreFiles(dir)) total += statSync(file).blocks * 512;
  return total;
}

/** Bytes of the files under `dir` that sit in the page cache now. */
export function cachedBytes(dir: string): number {
  const files = listStoreFiles(dir);
  if (files.length === 0) return 0;
  const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((n) => Number.isFinite(n))
    .reduce((a, b) => a + b, 0);
}

/** Drops every file under `dir` from the page cache. The store must be closed: pages mapped by a
 *  live process (LMDB) are not evicted. Returns the bytes still cached afterwards. */
export function dropFromPageCache(dir: string): number {
  for (const file of listStoreFiles(dir)) {
    execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
  return cachedBytes(dir);
}

/** Reads every file under `dir` through once so that a warm pass finds it in the page cache. */
export function loadIntoPageCache(dir: string): void {
  const buffer = Buffer.allocUnsafe(8 << 20);
  for (const file of listStoreFiles(dir)) {
    const fd = openSync(file, 'r');
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0) {
        // reading is the point
      }
    } finally {
      closeSync(fd);
    }
  }
}
