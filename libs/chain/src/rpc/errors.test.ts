import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRevertReason, executionReverted } from './errors.js';

const errorString = (text: string) => {
  const bytes = Buffer.from(text);
  const length = bytes.length.toString(16).padStart(64, '0');
  const body = bytes.toString('hex').padEnd(Math.ceil(bytes.length / 32) * 64, '0');
  return `0x08c379a0${'20'.padStart(64, '0')}${length}${body}` as const;
};

describe('[rpc] revert reasons', () => {
  it('decodes Error(string), including UTF-8', () => {
    assert.equal(decodeRevertReason(errorString('not enough')), 'not enough');
    assert.equal(decodeRevertReason(errorString('déjà vu ✓')), 'déjà vu ✓');
    assert.equal(decodeRevertReason(errorString('')), '');
  });

  it('decodes Panic(uint256) with geth’s descriptions', () => {
    assert.equal(decodeRevertReason(`0x4e487b71${'0'.repeat(62)}01`), 'assert(false)');
    assert.equal(decodeRevertReason(`0x4e487b71${'0'.repeat(62)}12`), 'division or modulo by zero');
    assert.equal(decodeRevertReason(`0x4e487b71${'0'.repeat(62)}99`), 'unknown panic code: 0x99');
  });

  it('answers nothing for custom errors, empty and truncated data', () => {
    assert.equal(decodeRevertReason('0x'), undefined);
    assert.equal(decodeRevertReason('0x12345678'), undefined);
    assert.equal(decodeRevertReason(errorString('abc').slice(0, 80) as `0x${string}`), undefined);
    // A length pointing past the end.
    assert.equal(
      decodeRevertReason(`0x08c379a0${'20'.padStart(64, '0')}${'ff'.padStart(64, '0')}${'00'.repeat(32)}`),
      undefined,
    );
    // An offset pointing past the end.
    assert.equal(decodeRevertReason(`0x08c379a0${'ffff'.padStart(64, '0')}${'00'.repeat(64)}`), undefined);
  });

  it('builds geth’s code-3 error', () => {
    assert.deepEqual(executionReverted(errorString('x')).toJSON(), {
      code: 3,
      message: 'execution reverted: x',
      data: errorString('x'),
    });
    assert.deepEqual(executionReverted('0x').toJSON(), {
      code: 3,
      message: 'execution reverted',
      data: '0x',
    });
  });
});
