import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import { loadExecutionCrypto } from './crypto.js';
import { recoverSenderKey, typedSigningPayload } from './signing.js';
import { createTestWorld, signNext } from './testing/scenario.js';

describe('[execution] signing payload cut from the signed bytes', async () => {
  const crypto = await loadExecutionCrypto();
  const world = await createTestWorld({ accounts: 3 });
  const [a, b] = world.accounts as [(typeof world.accounts)[number], (typeof world.accounts)[number]];
  // Short and long payloads (list headers of one and of several bytes), both typed kinds.
  const signed = [
    signNext(world, a, { to: b.address, value: 1n }),
    signNext(world, a, { to: b.address, value: 10n ** 20n, data: new Uint8Array(300).fill(7) }),
    signNext(world, a, { type: 1, to: b.address, value: 5n }),
    signNext(world, b, {
      type: 1,
      to: a.address,
      data: new Uint8Array(70_000).fill(1),
      gasLimit: 5_000_000n,
    }),
  ];

  it('equals what ethereumjs re-encodes, for EIP-1559 and EIP-2930 transactions', () => {
    for (const tx of signed) {
      const payload = typedSigningPayload(tx.serialize());
      assert.ok(payload !== undefined);
      assert.equal(bytesToHex(payload), bytesToHex(tx.getMessageToSign() as Uint8Array));
    }
  });

  it('leaves legacy transactions and malformed bytes to ethereumjs', () => {
    const legacy = signNext(world, a, { type: 0, to: b.address, value: 1n });
    assert.equal(typedSigningPayload(legacy.serialize()), undefined);
    const raw = (signed[0] as (typeof signed)[number]).serialize();
    assert.equal(typedSigningPayload(raw.subarray(0, raw.length - 1)), undefined, 'truncated');
    assert.equal(typedSigningPayload(Uint8Array.of(2, 0xc1, 0x80)), undefined, 'fewer than 3 items');
  });

  it('recovers the same sender as ethereumjs, and refuses a bad signature the same way', () => {
    for (const tx of [...signed, signNext(world, a, { type: 0, to: b.address })]) {
      const raw = tx.serialize();
      const decoded = createTxFromRLP(raw, { common: world.common, freeze: false });
      assert.equal(
        bytesToHex(recoverSenderKey(decoded, raw, crypto.keccak256)),
        bytesToHex(tx.getSenderPublicKey()),
      );
    }
    // A byte of the call data changed: the hash covers it, so another key (or none) comes out.
    const original = signed[1] as (typeof signed)[number];
    const tampered = original.serialize().slice();
    const at = tampered.findIndex((_, k) => tampered.subarray(k, k + 16).every((x) => x === 7));
    assert.ok(at > 0);
    tampered[at + 8] = 8;
    let ours: string;
    try {
      ours = bytesToHex(
        recoverSenderKey(
          createTxFromRLP(tampered, { common: world.common, freeze: false }),
          tampered,
          crypto.keccak256,
        ),
      );
    } catch (error) {
      ours = String(error);
    }
    let stock: string;
    try {
      stock = bytesToHex(createTxFromRLP(tampered, { common: world.common }).getSenderPublicKey());
    } catch (error) {
      stock = String(error);
    }
    assert.equal(ours, stock);
    assert.notEqual(ours, bytesToHex(original.getSenderPublicKey()));
  });
});
