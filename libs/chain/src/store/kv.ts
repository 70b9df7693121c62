// The slice of Kesque the chain store uses: synchronous reads, atomic batches. Kesque satisfies it
// structurally; `createMemoryKV` is the in-memory double for tests.

export type KVKey = Uint8Array | number;

export type KVOp =
  | { type: 'put'; table: string; key: KVKey; value: Uint8Array }
  | { type: 'del'; table: string; key: KVKey };

/** Reads. Contract: a value read is one a completed `batch` wrote; never half a batch. */
export interface KVReader {
  get(table: string, key: KVKey): Uint8Array | undefined;
}

/** Reads and atomic writes. `batch` applies every op or none, and resolves once durable. */
export interface KVStore extends KVReader {
  batch(ops: readonly KVOp[]): Promise<void>;
}

function keyString(key: KVKey): string {
  return typeof key === 'number' ? `n${key}` : `h${Buffer.from(key).toString('hex')}`;
}

/** In-memory `KVStore` for tests: batches apply atomically at once. */
export function createMemoryKV(): KVStore & { size(): number } {
  const tables = new Map<string, Map<string, Uint8Array>>();
  const table = (name: string) => {
    let t = tables.get(name);
    if (!t) {
      t = new Map();
      tables.set(name, t);
    }
    return t;
  };
  return {
    get: (name, key) => tables.get(name)?.get(keyString(key)),
    async batch(ops) {
      for (const op of ops) {
        if (op.type === 'put') table(op.table).set(keyString(op.key), op.value);
        else table(op.table).delete(keyString(op.key));
      }
    },
    size: () => [...tables.values()].reduce((n, t) => n + t.size, 0),
  };
}
