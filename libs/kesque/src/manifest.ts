// The manifest: the root of a store's on-disk state, replaced atomically (write a temporary file,
// fsync, rename over MANIFEST, fsync the directory). It lists every table's segments in log order
// and names the index snapshot that matches them, so a compaction switches both in one rename.
//
// File `MANIFEST`: one JSON object `{ "crc": <CRC32C of body>, "body": "<JSON text of Manifest>" }`.

import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from './crc32c.js';
import { KesqueError } from './errors.js';
import type { TableKind } from './types.js';

export interface ManifestSegment {
  /** Slot in the 10-bit segment field of a position (reused once the file is gone). */
  slot: number;
  /** File number: the name of the file, never reused. */
  file: number;
  /** SEGMENT_FLAG_COMPACTED when written by compaction. */
  flags: number;
}

export interface ManifestTable {
  id: number;
  kind: TableKind;
  segments: ManifestSegment[];
}

export interface Manifest {
  format: 'kesque';
  version: 1;
  generation: number;
  nextFile: number;
  nextTableId: number;
  /** File name of the index snapshot matching this manifest, if any. */
  snapshot: string | null;
  tables: Record<string, ManifestTable>;
}

export const MANIFEST_NAME = 'MANIFEST';

export function emptyManifest(): Manifest {
  return {
    format: 'kesque',
    version: 1,
    generation: 0,
    nextFile: 1,
    nextTableId: 1,
    snapshot: null,
    tables: {},
  };
}

/** Reads the manifest of `dir`; undefined when there is none. Throws CORRUPT_MANIFEST. */
export function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KesqueError('CORRUPT_MANIFEST', `cannot read ${file}`, { cause: error, details: { file } });
  }
  try {
    const outer = JSON.parse(text) as { crc: number; body: string };
    if (typeof outer.body !== 'string' || crc32c(Buffer.from(outer.body, 'utf8')) !== outer.crc) {
      throw new Error('checksum mismatch');
    }
    const manifest = JSON.parse(outer.body) as Manifest;
    if (manifest.format !== 'kesque' || manifest.version !== 1) throw new Error('unknown format or version');
    return manifest;
  } catch (error) {
    throw new KesqueError('CORRUPT_MANIFEST', `manifest ${file} is corrupt: ${(error as Error).message}`, {
      cause: error,
      details: { file },
    });
  }
}

/** Replaces the manifest of `dir` atomically and durably. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const body = JSON.stringify(manifest);
  const text = JSON.stringify({ crc: crc32c(Buffer.from(body, 'utf8')), body });
  const tmp = path.join(dir, `${MANIFEST_NAME}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, MANIFEST_NAME));
  fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
