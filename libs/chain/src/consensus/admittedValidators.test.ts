import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initDietcoin } from '@khipu/dietcoin';
import { createConsensusCrypto } from './crypto.js';
import { admittedValidators } from './service.js';
import type { Address } from './types.js';
import { createValidatorSchedule } from './validatorSchedule.js';

const addr = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(20)}` as Address;

describe('[Consensus] validators the handshake admits across an epoch boundary', () => {
  it('admits the sets of the head, the next height and the next epoch, each once', async () => {
    await initDietcoin();
    const crypto = await createConsensusCrypto();
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(addr) as [Address, Address, Address, Address, Address];
    const schedule = createValidatorSchedule({
      chainId: 1n,
      epochLength: 10,
      genesis: { validators: [a, b, c, d] },
      configured: [{ epoch: 1, validators: { validators: [b, c, d, e] } }],
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
    });
    // Inside epoch 0 the joiner is already admitted (the next epoch's set).
    assert.deepEqual(admittedValidators(schedule, 3).sort(), [a, b, c, d, e]);
    // At the first height of epoch 1 the leaver is still admitted (the head's set) to follow the handover.
    assert.deepEqual(admittedValidators(schedule, 10).sort(), [a, b, c, d, e]);
    // One block later it is not.
    assert.deepEqual(admittedValidators(schedule, 12).sort(), [b, c, d, e]);
  });
});
