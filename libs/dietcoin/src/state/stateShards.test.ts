import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import { concatBytes } from '../encoding/bytes.js';
import { isDietcoinError } from '../errors.js';
import { hashLeaf, merkleRoot } from '../merkle/tree.js';
import { flipEveryByte, testIterations } from '../testing/flip.js';
import { type Account, decodeAccount, encodeAccount } from './account.js';
import {
  createAccountProof,
  decodeAccountProof,
  encodeAccountProof,
  verifyAccountProof,
} from './accountProof.js';
import {
  createStateShardProof,
  decodeStateShardProof,
  encodeStateShardProof,
  verifyStateShardProof,
} from './stateShardProof.js';
import { type AccountChange, StateShards, shardOf } from './stateShards.js';

const address = (i: number) =>
  keccak256(new Uint8Array([i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff])).slice(12);
const account = (i: number, v = 0): Account => ({
  nonce: BigInt(i % 7),
  balance: BigInt(i) * 1000n + BigInt(v),
  storageRoot: new Uint8Array(32).fill(i & 0xff),
  codeHash: new Uint8Array(32).fill(0xc5),
});

/** shardRoot recomputed from scratch from the leaves the state holds, in their order. */
function rebuiltRoot(state: StateShards): Uint8Array {
  const digests: Uint8Array[] = [];
  for (let s = 0; s < state.shardCount; s++) {
    const leaves = state.shardAccounts(s).map((a) => hashLeaf(concatBytes(a.addressHash, a.account)));
    const digest = merkleRoot(leaves);
    assert.deepEqual(state.shardDigest(s), digest, `shard ${s}`);
    digests.push(digest);
  }
  return merkleRoot(digests.map(hashLeaf));
}

/** The accounts the state holds, by address hash, checked to sit in their right shard. */
function heldAccounts(state: StateShards): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let s = 0; s < state.shardCount; s++) {
    for (const a of state.shardAccounts(s)) {
      assert.equal(shardOf(a.addressHash, state.shardBits), s);
      const k = Buffer.from(a.addressHash).toString('hex');
      assert.ok(!out.has(k), 'an account is held twice');
      out.set(k, a.account);
    }
  }
  return out;
}

describe('[Dietcoin] state shards', () => {
  before(async () => {
    await initDietcoin();
  });

  it('places an account in the shard named by the first k bits of keccak(address)', () => {
    const h = new Uint8Array(32);
    h[0] = 0b1011_0000;
    assert.equal(shardOf(h, 1), 1);
    assert.equal(shardOf(h, 4), 0b1011);
    assert.equal(shardOf(h, 0), 0);
    h[1] = 0xff;
    assert.equal(shardOf(h, 10), 0b1011_0000_11);
  });

  it('updates incrementally to the root of a full rehash, holding exactly the live accounts, through inserts, updates and deletes', () => {
    for (const bits of [0, 1, 3, 6]) {
      const state = new StateShards({ shardBits: bits });
      const live = new Map<string, { address: Uint8Array; account: Account }>();
      let seed = 7 + bits;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let block = 0; block < 25 * testIterations(); block++) {
        const changes: AccountChange[] = [];
        for (let c = 0; c < 1 + rand(40); c++) {
          const i = rand(300);
          const a = address(i);
          const k = Buffer.from(a).toString('hex');
          if (rand(5) === 0) {
            changes.push({ address: a, account: undefined });
            live.delete(k);
          } else {
            const acc = account(i, block * 100 + c);
            changes.push({ address: a, account: acc });
            live.set(k, { address: a, account: acc });
          }
        }
        const root = state.update(changes);
        assert.deepEqual(root, rebuiltRoot(state), `bits ${bits} block ${block}`);
        const held = heldAccounts(state);
        assert.equal(held.size, live.size);
        for (const { address: a, account: acc } of live.values()) {
          assert.deepEqual(held.get(Buffer.from(keccak256(a)).toString('hex')), encodeAccount(acc));
        }
      }
    }
  });

  it('proves an account against shardRoot and refuses another address, account or root', () => {
    const state = new StateShards({ shardBits: 4 });
    state.update(Array.from({ length: 500 }, (_, i) => ({ address: address(i), account: account(i) })));
    for (const i of [0, 17, 499]) {
      const proof = decodeAccountProof(
        encodeAccountProof(createAccountProof({ state, address: address(i) })),
      );
      assert.deepEqual(verifyAccountProof({ proof, address: address(i), shardRoot: state.root }), account(i));
      assert.throws(
        () => verifyAccountProof({ proof, address: address(i + 1), shardRoot: state.root }),
        (e) => isDietcoinError(e),
      );
      assert.throws(
        () =>
          verifyAccountProof({
            proof: { ...proof, account: encodeAccount(account(i, 1)) },
            address: address(i),
            shardRoot: state.root,
          }),
        (e) => isDietcoinError(e, 'WRONG_ROOT') && /account proof of 0x/.test(e.message),
      );
      assert.throws(
        () => verifyAccountProof({ proof, address: address(i), shardRoot: new Uint8Array(32) }),
        (e) => isDietcoinError(e, 'WRONG_ROOT'),
      );
    }
    assert.throws(
      () => createAccountProof({ state, address: address(9999) }),
      (e) => isDietcoinError(e, 'INVALID_ACCOUNT'),
    );
  });

  it('refuses every single flipped byte of an account proof and of a whole-shard proof', () => {
    const state = new StateShards({ shardBits: 2 });
    state.update(Array.from({ length: 12 }, (_, i) => ({ address: address(i), account: account(i) })));
    const bytes = encodeAccountProof(createAccountProof({ state, address: address(5) }));
    const r = flipEveryByte(bytes, (t) =>
      verifyAccountProof({ proof: decodeAccountProof(t), address: address(5), shardRoot: state.root }),
    );
    assert.deepEqual(r.accepted, []);
    const shard = shardOf(keccak256(address(5)), 2);
    const whole = encodeStateShardProof(createStateShardProof({ state, shard }));
    const r2 = flipEveryByte(whole, (t) =>
      verifyStateShardProof({ proof: decodeStateShardProof(t), shardRoot: state.root }),
    );
    assert.equal(r2.positions, whole.length);
    assert.deepEqual(r2.accepted, []);
  });

  it('downloads and verifies a whole shard, and refuses one with an account dropped or foreign', () => {
    const state = new StateShards({ shardBits: 3 });
    state.update(Array.from({ length: 200 }, (_, i) => ({ address: address(i), account: account(i) })));
    for (let s = 0; s < 8; s++) {
      const proof = decodeStateShardProof(encodeStateShardProof(createStateShardProof({ state, shard: s })));
      assert.equal(verifyStateShardProof({ proof, shardRoot: state.root }).length, state.accountCount(s));
    }
    const p = createStateShardProof({ state, shard: 1 });
    assert.throws(
      () => verifyStateShardProof({ proof: { ...p, accounts: p.accounts.slice(1) }, shardRoot: state.root }),
      (e) => isDietcoinError(e, 'WRONG_ROOT'),
    );
    const foreign = createStateShardProof({ state, shard: 2 }).accounts[0]!;
    assert.throws(
      () =>
        verifyStateShardProof({ proof: { ...p, accounts: [...p.accounts, foreign] }, shardRoot: state.root }),
      (e) => isDietcoinError(e, 'WRONG_SHARD'),
    );
    const reversed = { ...p, accounts: [...p.accounts].reverse() };
    assert.throws(
      () => verifyStateShardProof({ proof: reversed, shardRoot: state.root }),
      (e) => isDietcoinError(e, 'WRONG_ROOT'),
    );
    const twice = { ...p, accounts: [...p.accounts, p.accounts[0]!] };
    assert.throws(
      () => verifyStateShardProof({ proof: twice, shardRoot: state.root }),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
  });

  it('decodes accounts strictly', () => {
    const enc = encodeAccount(account(3));
    assert.deepEqual(decodeAccount(enc), account(3));
    assert.throws(
      () => decodeAccount(enc.subarray(0, enc.length - 1)),
      (e) => isDietcoinError(e),
    );
    assert.throws(
      () => decodeAccount(new Uint8Array([...enc, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
  });

  it('applies the same blocks to the same root on every node, and rehashes only the touched paths', () => {
    const a = new StateShards({ shardBits: 4 });
    const b = new StateShards({ shardBits: 4 });
    for (let block = 0; block < 5; block++) {
      const changes = Array.from({ length: 50 }, (_, i) => ({
        address: address(block * 37 + i),
        account: account(i, block),
      }));
      assert.deepEqual(a.update(changes), b.update([...changes].reverse().reverse()));
    }
    // deleting then re-adding an account moves it to the end of its shard: the root changes, the
    // account does not
    const before = a.root;
    const victim = address(40);
    const acc = account(3, 3);
    a.update([{ address: victim, account: undefined }]);
    a.update([{ address: victim, account: acc }]);
    assert.deepEqual(a.root, rebuiltRoot(a));
    assert.ok(a.locate(victim));
    void before;
  });
});
