// @ethereumjs's interpreter analyses a contract's code (jump destinations, PUSH values as bigints,
// the opcode of every byte) in every call frame that jumps: for an ERC-20 transfer about 200 us,
// ~8 % of the chain node's main thread under an ERC-20 load. The analysis depends only on the
// code and on the EVM's opcode table, and the interpreter only reads it, so it is made once per
// (opcode table, code) and shared. Installed on the interpreter @ethereumjs's EVM runs (its module
// is not among the package's exports: loaded from beside the package's entry).

/** What `_getValidJumpDestinations` returns (read-only for the interpreter). */
interface JumpAnalysis {
  jumps: Uint8Array;
  pushes: Record<number, bigint>;
  opcodesCached: unknown[];
}

interface InterpreterPrototype {
  _getValidJumpDestinations(this: InterpreterThis, code: Uint8Array): JumpAnalysis;
}

interface InterpreterThis {
  _evm: { _opcodeMap: object };
}

/** Code bytes analysed and kept per opcode table: ~100 ERC-20-sized contracts; an analysis holds
 *  about ten times its code's size. */
const MAX_CODE_BYTES = 2 * 1024 * 1024;

interface AnalysisCache {
  byCode: Map<string, JumpAnalysis>;
  bytes: number;
}

/** Wraps `analyse` (the interpreter's own analysis) with the shared cache. Exported for tests. */
export function cachedJumpAnalysis(
  analyse: (this: InterpreterThis, code: Uint8Array) => JumpAnalysis,
): (this: InterpreterThis, code: Uint8Array) => JumpAnalysis {
  const caches = new WeakMap<object, AnalysisCache>();
  return function (this: InterpreterThis, code: Uint8Array): JumpAnalysis {
    const table = this._evm._opcodeMap;
    let cache = caches.get(table);
    if (cache === undefined) {
      cache = { byCode: new Map(), bytes: 0 };
      caches.set(table, cache);
    }
    const key = Buffer.from(code.buffer, code.byteOffset, code.byteLength).toString('latin1');
    const known = cache.byCode.get(key);
    if (known !== undefined) return known;
    const analysis = analyse.call(this, code);
    if (code.length <= MAX_CODE_BYTES) {
      // Oldest first out, until the new code fits.
      for (const [k] of cache.byCode) {
        if (cache.bytes + code.length <= MAX_CODE_BYTES) break;
        cache.byCode.delete(k);
        cache.bytes -= k.length;
      }
      cache.byCode.set(key, analysis);
      cache.bytes += code.length;
    }
    return analysis;
  };
}

let installed: Promise<void> | undefined;

/** Installs the cache on @ethereumjs's interpreter, once per thread. */
export function installJumpAnalysisCache(): Promise<void> {
  installed ??= (async () => {
    const url = new URL('./interpreter.js', import.meta.resolve('@ethereumjs/evm'));
    const { Interpreter } = (await import(url.href)) as { Interpreter: { prototype: InterpreterPrototype } };
    const proto = Interpreter.prototype;
    proto._getValidJumpDestinations = cachedJumpAnalysis(proto._getValidJumpDestinations);
  })();
  return installed;
}
