import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type ConsensusCrypto, createConsensusCrypto } from '../consensus/crypto.js';
import { equalBytes } from '../consensus/hex.js';
import { parseGenesisConfig } from './config.js';
import { validatorSetOf } from './genesis.js';
import { validatorScheduleOf } from './validatorSchedule.js';

const a = '0x2222222222222222222222222222222222222222';
const b = '0x1111111111111111111111111111111111111111';
const c = '0x3333333333333333333333333333333333333333';

describe('[chain] genesis validator schedule', () => {
  let crypto: ConsensusCrypto;
  before(async () => {
    crypto = await createConsensusCrypto();
  });

  it('starts from the genesis set and switches at the configured epoch, announced one block ahead', () => {
    const config = parseGenesisConfig({
      chainId: 7001,
      validators: [a, b],
      epochLength: 10,
      validatorSchedule: [{ epoch: 2, validators: [c, a] }],
    });
    const s = validatorScheduleOf(config, crypto);
    // Block 0's validatorsHash is the one genesis.ts writes.
    assert.ok(equalBytes(s.hashesAt(0).validatorsHash, validatorSetOf(config).hash));
    assert.deepEqual(s.setAt(1).validators, [b, a]);
    assert.deepEqual(s.setAt(19).validators, [b, a]);
    assert.deepEqual(s.setAt(20).validators, [a, c]);
    const announcing = s.hashesAt(19);
    assert.ok(!equalBytes(announcing.validatorsHash, announcing.nextValidatorsHash));
    assert.ok(equalBytes(announcing.nextValidatorsHash, s.hashesAt(20).validatorsHash));
    const inside = s.hashesAt(18);
    assert.ok(equalBytes(inside.validatorsHash, inside.nextValidatorsHash));
  });
});
