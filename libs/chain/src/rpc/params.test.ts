import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from './errors.js';
import { parseBlockSpecifier, parseCallRequest, parseData, parseQuantity, parseSlot } from './params.js';

const invalid = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof RpcError && e.code === -32602 && message.test(e.message));

describe('[rpc] parameter parsing', () => {
  it('parses quantities as geth does', () => {
    assert.equal(parseQuantity('0x0', '0'), 0n);
    assert.equal(parseQuantity('0xAbC', '0'), 0xabcn);
    assert.equal(parseQuantity(`0x${'f'.repeat(64)}`, '0'), (1n << 256n) - 1n);
    invalid(() => parseQuantity('0x00', '0'), /leading zero/);
    invalid(() => parseQuantity('12', '0'), /without 0x prefix/);
    invalid(() => parseQuantity(`0x1${'0'.repeat(64)}`, '0'), /> 256 bits/);
    invalid(() => parseQuantity(12, '3'), /^invalid argument 3: /);
    invalid(() => parseQuantity('0x-1', '0'), /invalid hex/);
  });

  it('parses data, lower-casing it, with exact lengths where asked', () => {
    assert.equal(parseData('0xABcd', '0'), '0xabcd');
    assert.equal(parseData('0x', '0'), '0x');
    invalid(() => parseData('0xabc', '0'), /odd length/);
    invalid(() => parseData('0xab', '0', 20), /want 40/);
    assert.equal(parseSlot('0x1', '0'), `0x${'0'.repeat(63)}1`);
  });

  it('parses block specifiers: tags, numbers, EIP-1898 objects', () => {
    assert.deepEqual(parseBlockSpecifier('safe', '0'), { tag: 'safe' });
    assert.deepEqual(parseBlockSpecifier('0x10', '0'), { number: 16n });
    assert.deepEqual(parseBlockSpecifier({ blockNumber: 'latest' }, '0'), { tag: 'latest' });
    invalid(() => parseBlockSpecifier({}, '0'), /blockHash or blockNumber/);
    invalid(() => parseBlockSpecifier('Latest', '0'), /unknown block tag/);
    invalid(() => parseBlockSpecifier(null, '0'), /non-string/);
  });

  it('parses call objects with data/input and access lists', () => {
    assert.deepEqual(
      parseCallRequest(
        { to: null, input: '0x60', accessList: [{ address: `0x${'11'.repeat(20)}`, storageKeys: [] }] },
        '0',
      ),
      {
        to: null,
        input: '0x60',
        accessList: [{ address: `0x${'11'.repeat(20)}`, storageKeys: [] }],
      },
    );
    assert.deepEqual(parseCallRequest({ data: '0x01', input: '0x01', type: '0x2', chainId: '0x1' }, '0'), {
      input: '0x01',
    });
    invalid(() => parseCallRequest({ accessList: [{ address: '0x12' }] }, '0'), /want 40/);
    invalid(() => parseCallRequest({ accessList: {} }, '0'), /must be an array/);
  });
});
