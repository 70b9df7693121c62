import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createBlockHeader, createBlockHeaderFromRLP } from '@ethereumjs/block';
import { ConsensusType, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { initDietcoin } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import { isDietcoinError } from '../errors.js';
import { signSeal } from '../seal/seal.js';
import { flipEveryByte } from '../testing/flip.js';
import { createKhipuCommon, OMITTED_EIPS } from './common.js';
import { decodeExtraData, encodeExtraData, type KhipuExtraData } from './extraData.js';
import {
  createHeader,
  decodeHeader,
  encodeHeader,
  hashHeader,
  type KhipuHeader,
  MAX_HEADER_BYTES,
  scanHeader,
} from './header.js';
import { decodeSealedHeader, encodeSealedHeader } from './sealedHeader.js';

function fixture(n = 7): KhipuHeader {
  const h = (s: string) => keccak256(new TextEncoder().encode(s));
  const key = h('validator');
  const extra: KhipuExtraData = {
    validatorsHash: h('set'),
    nextValidatorsHash: h('next set'),
    messageRoot: h('messages'),
    shardRoot: h('shards'),
    parentSeals: {
      round: 2,
      seals: [
        signSeal({
          privateKey: key,
          chainId: 7n,
          height: Math.max(0, n - 1),
          round: 2,
          blockHash: h('parent'),
        }),
      ],
    },
  };
  return createHeader({
    parentHash: h('parent'),
    number: n,
    timestamp: 1_700_000_000 + n,
    coinbase: h('coinbase').slice(12),
    stateRoot: h('state'),
    gasUsed: 21_000n,
    baseFeePerGas: 875_000_000n,
    mixHash: h('randao'),
    extra,
  });
}

describe('[Dietcoin] header codec', () => {
  before(async () => {
    await initDietcoin();
  });

  it('round-trips through @ethereumjs/block unchanged under the Khipu Common, with the same hash', () => {
    const common = createKhipuCommon({ chainId: 7 });
    for (const n of [1, 2, 255, 256, 70_000, 2 ** 40]) {
      const rlp = encodeHeader(fixture(n));
      const eth = createBlockHeaderFromRLP(rlp, { common });
      assert.deepEqual(eth.serialize(), rlp);
      assert.deepEqual(eth.hash(), hashHeader(rlp));
      assert.equal(eth.number, BigInt(n));
      assert.deepEqual(decodeExtraData(eth.extraData), fixture(n).extra);
      const decoded = decodeHeader(eth.serialize());
      assert.deepEqual(decoded.header, fixture(n));
      assert.deepEqual(decoded.hash, eth.hash());
    }
  });

  it('encodes like @ethereumjs/block builds the header from fields', () => {
    const common = createKhipuCommon({ chainId: 7 });
    const f = fixture();
    const eth = createBlockHeader(
      { ...f, extraData: encodeExtraData(f.extra), timestamp: BigInt(f.timestamp), number: BigInt(f.number) },
      { common },
    );
    assert.deepEqual(eth.serialize(), encodeHeader(f));
  });

  it('gives the Khipu Common Prague, its own consensus and ethereumjs accepts block 0 with 1 gwei', () => {
    const common = createKhipuCommon({ chainId: 42n });
    assert.equal(common.hardfork(), Hardfork.Prague);
    assert.equal(common.chainId(), 42n);
    // Not 'poa': ethereumjs's runTx would pay the Clique signer named in extraData.
    assert.equal(common.consensusType(), 'khipu-poa');
    assert.equal(common.consensusAlgorithm(), 'khipu');
    assert.ok(common.isActivatedEIP(4844) && common.isActivatedEIP(4788) && common.isActivatedEIP(7685));
    for (const eip of OMITTED_EIPS) assert.equal(common.isActivatedEIP(eip), false, `EIP-${eip} is off`);
    const genesis = encodeHeader({
      ...fixture(0),
      parentHash: new Uint8Array(32),
      baseFeePerGas: 1_000_000_000n,
    });
    assert.equal(createBlockHeaderFromRLP(genesis, { common }).number, 0n);
  });

  it('is refused by the stock proof-of-stake rules, which is why the chain has its own Common', () => {
    const pos = createCustomCommon({ chainId: 7 }, Mainnet, { hardfork: Hardfork.Prague });
    assert.equal(pos.consensusType(), ConsensusType.ProofOfStake);
    assert.throws(() => createBlockHeaderFromRLP(encodeHeader(fixture()), { common: pos }), /extraData/);
  });

  it('refuses blob gas, difficulty, a nonce and uncles (chain rules)', () => {
    for (const bad of [
      { blobGasUsed: 131072n },
      { excessBlobGas: 1n },
      { difficulty: 1n },
      { nonce: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]) },
      { uncleHash: new Uint8Array(32) },
      { gasUsed: 31_000_000n },
    ]) {
      assert.throws(
        () => encodeHeader({ ...fixture(), ...bad }),
        (e) => isDietcoinError(e, 'INVALID_HEADER'),
      );
    }
  });

  it('refuses truncated input, trailing bytes, oversized input and a wrong field count with typed errors', () => {
    const rlp = encodeHeader(fixture());
    for (let cut = 0; cut < rlp.length; cut += 37) {
      assert.throws(
        () => decodeHeader(rlp.subarray(0, cut)),
        (e) => isDietcoinError(e),
      );
    }
    assert.throws(
      () => decodeHeader(new Uint8Array([...rlp, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
    assert.throws(
      () => decodeHeader(new Uint8Array(MAX_HEADER_BYTES + 1)),
      (e) => isDietcoinError(e, 'OVERSIZED'),
    );
    const fields = RLP.decode(rlp) as Uint8Array[];
    assert.throws(
      () => decodeHeader(RLP.encode(fields.slice(0, 20))),
      (e) => isDietcoinError(e, 'MALFORMED'),
    );
    assert.throws(
      () => decodeHeader(RLP.encode([...fields, new Uint8Array()])),
      (e) => isDietcoinError(e, 'MALFORMED'),
    );
    const leadingZero = fields.slice();
    leadingZero[8] = new Uint8Array([0, 7]);
    assert.throws(
      () => decodeHeader(RLP.encode(leadingZero)),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
    const badExtra = fields.slice();
    badExtra[12] = new Uint8Array(32);
    assert.throws(
      () => decodeHeader(RLP.encode(badExtra)),
      (e) => isDietcoinError(e),
    );
  });

  it('refuses non-canonical RLP in extraData', () => {
    const f = fixture();
    const ok = encodeExtraData(f.extra);
    assert.deepEqual(decodeExtraData(ok), f.extra);
    // a 32-byte string written in the long form (0xb8 0x20 …) is not canonical
    const items = RLP.decode(ok) as unknown as Uint8Array[];
    const longForm = new Uint8Array([0xb8, 32, ...items[0]!]);
    const body = [longForm, ...(items.slice(1) as Uint8Array[]).map((x) => RLP.encode(x))];
    const payload = body.reduce((n, b) => n + b.length, 0);
    const list = new Uint8Array([0xf9, payload >> 8, payload & 0xff, ...body.flatMap((b) => [...b])]);
    assert.throws(
      () => decodeExtraData(list),
      (e) => isDietcoinError(e, 'MALFORMED'),
    );
    assert.throws(
      () => decodeExtraData(new Uint8Array([...ok, 0x80])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
  });

  it('round-trips a sealed header and refuses its truncations and trailing bytes', () => {
    const decoded = decodeHeader(encodeHeader(fixture()));
    const key = keccak256(new Uint8Array([1]));
    const seals = {
      round: 3,
      seals: [signSeal({ privateKey: key, chainId: 7n, height: 7, round: 3, blockHash: decoded.hash })],
    };
    const wire = encodeSealedHeader({ header: decoded, seals });
    const back = decodeSealedHeader(wire);
    assert.deepEqual(back.header.hash, decoded.hash);
    assert.deepEqual(back.seals, seals);
    assert.throws(
      () => decodeSealedHeader(wire.subarray(0, wire.length - 1)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
    assert.throws(
      () => decodeSealedHeader(new Uint8Array([...wire, 1])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
    assert.throws(
      () => decodeSealedHeader(new Uint8Array([2, ...wire.subarray(1)])),
      (e) => isDietcoinError(e, 'UNKNOWN_VERSION'),
    );
  });

  it('changes the hash when any byte of the header changes, or refuses the header', () => {
    const rlp = encodeHeader(fixture());
    const hash = hashHeader(rlp);
    const r = flipEveryByte(rlp, (t) => {
      const d = decodeHeader(t);
      if (Buffer.compare(d.hash, hash) !== 0) throw new Error('different block');
    });
    assert.equal(r.positions, rlp.length);
    assert.deepEqual(r.accepted, []);
  });

  it('scans a header (the light client fast path) exactly when it decodes, to the same fields', () => {
    const rlp = encodeHeader(fixture());
    const d = decodeHeader(rlp);
    const link = scanHeader(rlp);
    assert.deepEqual(link, {
      hash: d.hash,
      number: d.header.number,
      timestamp: d.header.timestamp,
      parentHash: d.header.parentHash,
      stateRoot: d.header.stateRoot,
      validatorsHash: d.header.extra.validatorsHash,
      nextValidatorsHash: d.header.extra.nextValidatorsHash,
      messageRoot: d.header.extra.messageRoot,
      shardRoot: d.header.extra.shardRoot,
    });
    const outcome = (f: () => unknown): string => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return isDietcoinError(e) ? e.code : 'untyped';
      }
    };
    for (let i = 0; i < rlp.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const t = rlp.slice();
        t[i] = t[i]! ^ mask;
        assert.equal(
          outcome(() => scanHeader(t)),
          outcome(() => decodeHeader(t)),
          `byte ${i} ^ ${mask}`,
        );
      }
    }
    for (const bad of [{ blobGasUsed: 1n }, { difficulty: 2n }]) {
      const items = RLP.decode(rlp) as Uint8Array[];
      items[bad.blobGasUsed ? 17 : 7] = new Uint8Array([bad.blobGasUsed ? 1 : 2]);
      assert.throws(
        () => scanHeader(RLP.encode(items)),
        (e) => isDietcoinError(e, 'INVALID_HEADER'),
      );
    }
  });
});
