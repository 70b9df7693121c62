// @khipu/kesque: a storage engine for hash-keyed blockchain data. See ARCHITECTURE.md.

export { type CachePolicy, ValueCache } from './cache.js';
export { crc32c } from './crc32c.js';
export { isKesqueError, KesqueError, type KesqueErrorCode, type KesqueErrorOptions } from './errors.js';
export { type OpenKesqueReaderOptions, openKesqueReader } from './reader.js';
export { type ReadBackend, readBackend } from './segmentMap.js';
export {
  type KesqueFileIO,
  KesqueStore,
  nodeFileIO,
  type OpenKesqueOptions,
  openKesque,
} from './store.js';
export type * from './types.js';
