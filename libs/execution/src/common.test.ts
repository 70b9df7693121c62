import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { createAddressFromString, ecrecover } from '@ethereumjs/util';
import { KHIPU_CONSENSUS_TYPE, OMITTED_EIPS } from '@khipu/dietcoin';
import { createExecutionCommon, FEE_POOL_ADDRESS, feePoolAddress } from './common.js';
import { loadExecutionCrypto } from './crypto.js';

describe('[execution] chain rules and crypto', () => {
  it("is dietcoin's Common: Prague without system-call EIPs or EIP-7702, our consensus type", () => {
    const common = createExecutionCommon({ chainId: 7001 });
    assert.equal(common.hardfork(), 'prague');
    for (const eip of OMITTED_EIPS) assert.equal(common.isActivatedEIP(eip), false, `EIP-${eip} is off`);
    // 4788 and 7685 shape the header (parentBeaconBlockRoot, requestsHash) as dietcoin encodes it.
    for (const eip of [1559, 3855, 1153, 5656, 6780, 7623, 4844, 4788, 7685])
      assert.equal(common.isActivatedEIP(eip), true, `EIP-${eip} is on`);
    // Not 'poa': runTx would pay the Clique signer named in extraData instead of the coinbase.
    assert.equal(common.consensusType(), KHIPU_CONSENSUS_TYPE);
  });

  it('answers rule lookups as stock ethereumjs does, in copies and after a hardfork change', () => {
    const fast = createExecutionCommon({ chainId: 7001 });
    const stock = createExecutionCommon({ chainId: 7001, shareParams: false, fastLookups: false });
    const names = stock.hardforks().map((h) => h.name);
    const same = (a: typeof fast, b: typeof stock, where: string) => {
      for (let eip = 0; eip <= 8200; eip++)
        assert.equal(a.isActivatedEIP(eip), b.isActivatedEIP(eip), `${where}: EIP-${eip}`);
      for (const x of names) {
        assert.equal(a.gteHardfork(x), b.gteHardfork(x), `${where}: ≥ ${x}`);
        for (const y of names)
          assert.equal(a.hardforkGteHardfork(x, y), b.hardforkGteHardfork(x, y), `${where}: ${x} ≥ ${y}`);
      }
    };
    same(fast, stock, 'prague');
    const fastCopy = fast.copy();
    const stockCopy = stock.copy();
    for (const hardfork of ['berlin', 'london', 'cancun']) {
      fastCopy.setHardfork(hardfork);
      stockCopy.setHardfork(hardfork);
      same(fastCopy, stockCopy, hardfork);
      assert.equal(fastCopy.isActivatedEIP(1153), hardfork === 'cancun', 'transient storage from cancun');
      // The original keeps its own rules.
      assert.equal(fast.isActivatedEIP(1153), true);
      assert.equal(fast.gteHardfork('prague'), true);
    }
  });

  it('has a fee pool address clear of precompiles and system contracts', () => {
    assert.equal(feePoolAddress().toString(), FEE_POOL_ADDRESS);
    assert.equal(BigInt(FEE_POOL_ADDRESS), 0xfeen);
  });

  it('loads native libsecp256k1 and hash-wasm and recovers like the default path', async () => {
    const crypto = await loadExecutionCrypto();
    assert.deepEqual(crypto.backend, { secp256k1: 'libsecp256k1-native', keccak256: 'hash-wasm' });
    const common = createExecutionCommon({ chainId: 7001, crypto });
    const key = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
    const tx = createFeeMarket1559Tx(
      { chainId: 7001, to: createAddressFromString(FEE_POOL_ADDRESS), gasLimit: 21000n, maxFeePerGas: 1n },
      { common },
    ).sign(key);
    const hash = tx.getMessageToVerifySignature();
    const r = tx.r as bigint;
    const s = tx.s as bigint;
    const toBytes = (v: bigint) => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
    assert.deepEqual(
      crypto.ecrecover(hash, tx.v as bigint, toBytes(r), toBytes(s)),
      ecrecover(hash, tx.v as bigint, toBytes(r), toBytes(s)),
    );
    assert.deepEqual(
      crypto.keccak256(Uint8Array.of(1, 2, 3)),
      Uint8Array.from(Buffer.from('f1885eda54b7a053318cd41e2093220dab15d65381b1157a3633a83bfd5c9239', 'hex')),
    );
  });
});
