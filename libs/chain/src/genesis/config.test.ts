import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChainError } from '../errors.js';
import {
  DEFAULT_EPOCH_LENGTH,
  genesisConfigToJSON,
  INITIAL_BASE_FEE,
  OUTBOX_ADDRESS,
  parseGenesisConfig,
} from './config.js';

const validator = '0x1111111111111111111111111111111111111111';

describe('[chain] genesis config', () => {
  it('fills defaults: 1 gwei base fee, 1 s blocks, 30M gas, 256 state shards', () => {
    const c = parseGenesisConfig({ chainId: 7001, validators: [validator] });
    assert.equal(c.chainId, 7001n);
    assert.equal(c.baseFeePerGas, INITIAL_BASE_FEE);
    assert.equal(c.blockTimeMs, 1000);
    assert.equal(c.gasLimit, 30_000_000n);
    assert.equal(c.stateShardBits, 8);
    assert.equal(c.name, 'khipu-7001');
  });

  it('round-trips through JSON with allocations', () => {
    const c = parseGenesisConfig({
      chainId: '0x1b59',
      validators: [validator],
      timestamp: 1_700_000_000,
      alloc: {
        '0x2222222222222222222222222222222222222222': { balance: '1000000000000000000000', nonce: 2 },
      },
    });
    assert.deepEqual(parseGenesisConfig(JSON.parse(JSON.stringify(genesisConfigToJSON(c)))), c);
  });

  it('reads the validator schedule: epoch length and later sets', () => {
    const other = '0x3333333333333333333333333333333333333333';
    const c = parseGenesisConfig({
      chainId: 7001,
      validators: [validator],
      epochLength: 50,
      validatorSchedule: [{ epoch: 3, validators: [other.toUpperCase().replace('0X', '0x'), validator] }],
    });
    assert.equal(c.epochLength, 50);
    assert.deepEqual(c.validatorSchedule, [{ epoch: 3, validators: [other, validator] }]);
    assert.deepEqual(parseGenesisConfig(JSON.parse(JSON.stringify(genesisConfigToJSON(c)))), c);
    assert.equal(
      parseGenesisConfig({ chainId: 7001, validators: [validator] }).epochLength,
      DEFAULT_EPOCH_LENGTH,
    );
  });

  it('refuses bad input with INVALID_GENESIS naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{ chainId: 0, validators: [validator] }, /chainId/],
      [{ chainId: 1, validators: [] }, /validators/],
      [{ chainId: 1, validators: ['0x12'] }, /validators\[0\]/],
      [{ chainId: 1, validators: [validator, validator] }, /twice/],
      [{ chainId: 1, validators: [validator], epochLength: 1 }, /epochLength/],
      [{ chainId: 1, validators: [validator], validatorSchedule: {} }, /validatorSchedule/],
      [
        { chainId: 1, validators: [validator], validatorSchedule: [{ epoch: 0, validators: [validator] }] },
        /validatorSchedule\[0\]\.epoch/,
      ],
      [
        {
          chainId: 1,
          validators: [validator],
          validatorSchedule: [
            { epoch: 2, validators: [validator] },
            { epoch: 2, validators: [validator] },
          ],
        },
        /validatorSchedule\[1\]\.epoch/,
      ],
      [
        { chainId: 1, validators: [validator], validatorSchedule: [{ epoch: 1, validators: [] }] },
        /non-empty/,
      ],
      [
        { chainId: 1, validators: [validator], validatorSchedule: [{ epoch: 1, validators: ['0x1'] }] },
        /validators\[0\]/,
      ],
      [{ chainId: 1, validators: [validator], blockTimeMs: 1 }, /blockTimeMs/],
      [{ chainId: 1, validators: [validator], alloc: { [validator]: { balance: -1 } } }, /balance/],
      [{ chainId: 1, validators: [validator], alloc: { [OUTBOX_ADDRESS]: { balance: 1 } } }, /Outbox/],
    ];
    for (const [json, message] of cases) {
      assert.throws(
        () => parseGenesisConfig(json),
        (e) => isChainError(e, 'INVALID_GENESIS') && message.test(e.message),
        String(message),
      );
    }
  });
});
