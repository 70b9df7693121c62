// TEMPORARY stand-in for `openKesque` until the engine is committed: a Map-backed store with the
// contract's semantics (32-byte keys, ordered atomic batches, survives close/reopen per dir).
import { KesqueError } from '../errors.js';
import type { BatchOp, Kesque, OpenKesqueParameters, TableKey } from '../types.js';

const disks = new Map<string, Map<string, Map<string, Uint8Array>>>();

function hex(key: TableKey): string {
  if (typeof key === 'number') throw new KesqueError('KEY_TYPE', 'number key');
  if (key.length !== 32) throw new KesqueError('KEY_SIZE', `key is ${key.length} bytes`);
  return Buffer.from(key).toString('hex');
}

export async function openTestStore(options: OpenKesqueParameters): Promise<Kesque> {
  const disk = disks.get(options.dir) ?? new Map<string, Map<string, Uint8Array>>();
  disks.set(options.dir, disk);
  for (const name of Object.keys(options.tables)) if (!disk.has(name)) disk.set(name, new Map());
  const table = (name: string) => {
    const t = disk.get(name);
    if (t === undefined) throw new KesqueError('UNKNOWN_TABLE', name);
    return t;
  };
  let closed = false;
  const live = () => {
    if (closed) throw new KesqueError('CLOSED', 'closed');
  };
  return {
    get(name, key) {
      live();
      const v = table(name).get(hex(key));
      return v === undefined ? undefined : v.slice();
    },
    has(name, key) {
      live();
      return table(name).has(hex(key));
    },
    async batch(ops: readonly BatchOp[]) {
      live();
      const checked = ops.map((op) => ({ op, t: table(op.table), k: hex(op.key) }));
      for (const { op, t, k } of checked) {
        if (op.type === 'put') t.set(k, op.value.slice());
        else t.delete(k);
      }
    },
    *entries() {},
    async compact() {
      throw new Error('not in the stand-in');
    },
    counters: () => ({
      gets: 0,
      diskReads: 0,
      tagCollisions: 0,
      cacheHits: 0,
      cacheMisses: 0,
      bytesWritten: 0,
      batches: 0,
      compactions: 0,
    }),
    indexBytes: () => 0,
    readerHandle: () => ({ dir: options.dir, tables: {} }),
    async close() {
      closed = true;
    },
  };
}
