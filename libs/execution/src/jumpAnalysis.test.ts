import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedJumpAnalysis, installJumpAnalysisCache } from './jumpAnalysis.js';

describe('[execution] jump analysis cache', () => {
  const analysis = (code: Uint8Array) => ({
    jumps: new Uint8Array(code.length),
    pushes: {},
    opcodesCached: [],
  });

  it('analyses a code once per opcode table', () => {
    let runs = 0;
    const cached = cachedJumpAnalysis((code) => {
      runs++;
      return analysis(code);
    });
    const tableA = { _evm: { _opcodeMap: {} } };
    const tableB = { _evm: { _opcodeMap: {} } };
    const code = Uint8Array.of(0x60, 0x01, 0x56, 0x5b);
    const first = cached.call(tableA, code);
    // Same bytes in another array (a view into a larger buffer): the same analysis.
    const copy = new Uint8Array(10);
    copy.set(code, 3);
    assert.equal(cached.call(tableA, copy.subarray(3, 7)), first);
    assert.equal(runs, 1);
    // Another opcode table (another hardfork): analysed again.
    assert.notEqual(cached.call(tableB, code), first);
    assert.equal(runs, 2);
    // Other code: analysed.
    cached.call(tableA, Uint8Array.of(0x5b));
    assert.equal(runs, 3);
  });

  it('keeps at most 2 MiB of code per table, dropping the oldest', () => {
    let runs = 0;
    const cached = cachedJumpAnalysis((code) => {
      runs++;
      return analysis(code);
    });
    const table = { _evm: { _opcodeMap: {} } };
    const code = (fill: number) => new Uint8Array(768 * 1024).fill(fill);
    cached.call(table, code(1));
    cached.call(table, code(2));
    cached.call(table, code(3)); // 2.25 MiB: the first goes
    assert.equal(runs, 3);
    cached.call(table, code(3));
    cached.call(table, code(2));
    assert.equal(runs, 3);
    cached.call(table, code(1));
    assert.equal(runs, 4);
  });

  it('is installed on @ethereumjs interpreter and gives its analysis', async () => {
    await installJumpAnalysisCache();
    const url = new URL('./interpreter.js', import.meta.resolve('@ethereumjs/evm'));
    const { Interpreter } = (await import(url.href)) as {
      Interpreter: { prototype: { _getValidJumpDestinations: (code: Uint8Array) => unknown } };
    };
    // A stand-in interpreter: an opcode table and a Common without EIP-8024.
    const table = {
      _evm: { _opcodeMap: Array.from({ length: 256 }, (_, i) => ({ code: i })) },
      common: { isActivatedEIP: () => false },
    };
    const self = Object.assign(Object.create(Interpreter.prototype), table, {
      lookupOpInfo(op: number) {
        return table._evm._opcodeMap[op];
      },
    });
    // PUSH1 0x04, JUMP, INVALID, JUMPDEST, PUSH2 0x5b5b (no JUMPDEST inside a push)
    const code = Uint8Array.of(0x60, 0x04, 0x56, 0xfe, 0x5b, 0x61, 0x5b, 0x5b);
    const a = self._getValidJumpDestinations(code) as { jumps: Uint8Array; pushes: Record<number, bigint> };
    assert.deepEqual([...a.jumps], [0, 0, 0, 0, 1, 0, 0, 0]);
    assert.deepEqual(a.pushes, { 1: 4n, 6: 0x5b5bn });
    assert.equal(self._getValidJumpDestinations(code), a);
  });
});
