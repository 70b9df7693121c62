import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bytesToHex } from '@ethereumjs/util';
import { buildBlock } from './buildBlock.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import { COINBASE, createTestWorld, signNext, type TestWorld } from './testing/scenario.js';
import { runStockBlock } from './testing/stock.js';

// Calls into every precompile the chain's hardfork activates (Prague: 0x01-0x11), with value and
// with inputs each precompile refuses, must give the same state root built, validated and in stock
// runBlock: a precompile that throws instead of failing the call would split producer and validators.
/** A valid point evaluation: the zero polynomial (commitment and proof the G1 point at infinity)
 *  evaluates to y = 0 at any z; the versioned hash is 0x01 ‖ sha256(commitment)[1..]. */
function zeroPolynomialEvaluation(): Uint8Array {
  const infinity = new Uint8Array(48);
  infinity[0] = 0xc0;
  const versionedHash = createHash('sha256').update(infinity).digest();
  versionedHash[0] = 0x01;
  const z = new Uint8Array(32);
  z[31] = 7;
  return Uint8Array.from([...versionedHash, ...z, ...new Uint8Array(32), ...infinity, ...infinity]);
}

const PRECOMPILES = Array.from({ length: 0x11 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);

describe('[execution] calls into precompiles', () => {
  let world: TestWorld;
  let executor: Executor;

  before(async () => {
    world = await createTestWorld({ accounts: 4 });
    executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
  });
  after(async () => {
    await executor.close();
  });

  for (const mode of ['serial', 'parallel'] as const) {
    it(`every precompile, with value and bad input, agrees built, validated and stock (${mode})`, async () => {
      world.nonces.clear();
      const [from] = world.accounts;
      assert.ok(from);
      const pointEvaluation = PRECOMPILES[9] as string;
      const transactions = [
        ...PRECOMPILES.flatMap((to) => [
          { tx: signNext(world, from, { to, value: 1n, gasLimit: 200_000n }) },
          { tx: signNext(world, from, { to, value: 0n, data: new Uint8Array(7), gasLimit: 200_000n }) },
        ]),
        {
          tx: signNext(world, from, {
            to: pointEvaluation,
            data: zeroPolynomialEvaluation(),
            gasLimit: 200_000n,
          }),
        },
      ];
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions,
        coinbase: COINBASE,
        timestamp: 2n,
        mode,
        commit: false,
      });
      assert.equal(built.block.transactions.length, transactions.length, 'every call is included');
      const statuses = built.receipts.map((r) => ('status' in r ? r.status : undefined));
      assert.equal(statuses[18], 0, 'a value transfer to 0x0a (no input) fails the call');
      assert.equal(statuses.at(-1), 1, 'a valid point evaluation succeeds');
      const stock = await runStockBlock({
        store: world.store,
        chainId: world.chainId,
        rlp: built.block.serialize(),
        parentStateRoot: world.genesis.stateRoot,
      });
      assert.equal(bytesToHex(built.stateRoot), bytesToHex(stock.stateRoot), 'built equals stock');
      const validated = await executeBlock(executor, {
        block: built.block.serialize(),
        parentStateRoot: world.genesis.stateRoot,
        mode,
        commit: false,
      });
      assert.equal(bytesToHex(validated.stateRoot), bytesToHex(stock.stateRoot), 'validated equals stock');
    });
  }
});
