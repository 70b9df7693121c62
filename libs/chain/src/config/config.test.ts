import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadNodeConfig, SETTINGS } from './config.js';

const required = { KHIPU_DATA_DIR: '/data', KHIPU_GENESIS: '/genesis.json' };
const KEY = `0x${'ab'.repeat(32)}`;

function problems(env: Record<string, string>, files: Record<string, string> = {}): string[] {
  try {
    loadNodeConfig({
      env,
      readFile: (p) =>
        files[p] ??
        (() => {
          throw new Error(`ENOENT: ${p}`);
        })(),
    });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('[config] loadNodeConfig', () => {
  it('fills defaults', () => {
    const config = loadNodeConfig({ env: required });
    assert.equal(config.dataDir, '/data');
    assert.equal(config.rpc.host, '127.0.0.1');
    assert.equal(config.rpc.port, 8545);
    assert.equal(config.rpc.corsOrigin, '*');
    assert.equal(config.rpc.limits.maxBatchLength, 1000);
    assert.equal(config.rpc.methods.gasCap, 50_000_000n);
    assert.equal(config.txpool.limits.priceBumpPercent, 10n);
    assert.equal(config.txpool.journal, true);
    assert.equal(config.validatorKey, undefined);
    assert.deepEqual(config.durability, { mode: 'always' });
    assert.equal(config.stateRetentionBlocks, 128);
    assert.equal(config.log.level, 'info');
  });

  it('reads the environment over the file over defaults', () => {
    const file = JSON.stringify({
      rpcPort: 9000,
      rpcHost: '0.0.0.0',
      txpoolMinTipWei: '0x3b9aca00',
      archive: true,
      durability: 250,
    });
    const config = loadNodeConfig({
      env: {
        ...required,
        KHIPU_CONFIG: '/c.json',
        KHIPU_RPC_PORT: '9100',
        KHIPU_VALIDATOR_KEY: KEY,
        KHIPU_RPC_CORS_ORIGIN: ' ',
        KHIPU_TXPOOL_JOURNAL: 'no',
      },
      readFile: () => file,
    });
    assert.equal(config.rpc.port, 9100);
    assert.equal(config.rpc.host, '0.0.0.0');
    assert.equal(config.rpc.corsOrigin, undefined);
    assert.equal(config.txpool.limits.minTip, 1_000_000_000n);
    assert.equal(config.txpool.journal, false);
    assert.equal(config.archive, true);
    assert.deepEqual(config.durability, { mode: 'interval', intervalMs: 250 });
    assert.deepEqual([...(config.validatorKey ?? [])].slice(0, 2), [0xab, 0xab]);
  });

  it('reads the validator key from a file', () => {
    const config = loadNodeConfig({
      env: { ...required, KHIPU_VALIDATOR_KEY_FILE: '/key' },
      readFile: () => `${KEY}\n`,
    });
    assert.equal(config.validatorKey?.length, 32);
    assert.deepEqual(problems({ ...required, KHIPU_VALIDATOR_KEY_FILE: '/key' }, { '/key': 'nope' }), [
      'KHIPU_VALIDATOR_KEY_FILE /key: must hold 32 bytes of 0x hex',
    ]);
  });

  it('reports every problem at once, naming the variable, the source and the value', () => {
    const found = problems({
      KHIPU_RPC_PORT: '70000',
      KHIPU_LOG_LEVEL: 'loud',
      KHIPU_VALIDATOR_KEY: '0x12',
      KHIPU_TXPOOL_MIN_TIP_WEI: '-1',
      KHIPU_ARCHIVE: 'maybe',
      KHIPU_EXECUTION_WORKERS: '1.5',
      KHIPU_DURABILITY: 'sometimes',
      KHIPU_TXPOOL_RECOVERY_THREADS: '17',
    });
    assert.deepEqual(found, [
      'KHIPU_DATA_DIR is required (data directory)',
      'KHIPU_GENESIS is required (genesis JSON file)',
      'KHIPU_VALIDATOR_KEY: must be 32 bytes of 0x hex, got "0x12"',
      'KHIPU_EXECUTION_WORKERS: must be an integer, got "1.5"',
      'KHIPU_DURABILITY: must be always, never or an fsync interval in ms, got "sometimes"',
      'KHIPU_ARCHIVE: must be true or false, got "maybe"',
      'KHIPU_RPC_PORT: must be at most 65535, got "70000"',
      'KHIPU_TXPOOL_MIN_TIP_WEI: must be a decimal or 0x-hex integer, got "-1"',
      'KHIPU_TXPOOL_RECOVERY_THREADS: must be at most 16, got "17"',
      'KHIPU_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });

  it('refuses unknown file keys, a file that is not a JSON object, and a missing file', () => {
    assert.deepEqual(
      problems({ ...required, KHIPU_CONFIG: '/c.json' }, { '/c.json': '{"rpcPort":1,"rpcprot":2}' }),
      ['/c.json: unknown setting "rpcprot"'],
    );
    assert.deepEqual(problems({ ...required, KHIPU_CONFIG: '/c.json' }, { '/c.json': '[1]' }), [
      'KHIPU_CONFIG /c.json: not a JSON object',
    ]);
    assert.match(
      problems({ ...required, KHIPU_CONFIG: '/missing.json' })[0] ?? '',
      /^KHIPU_CONFIG \/missing.json: ENOENT/,
    );
    assert.deepEqual(problems({ ...required, KHIPU_CONFIG: '/c.json' }, { '/c.json': '{"rpcPort":"x"}' }), [
      'rpcPort in /c.json: must be an integer, got "x"',
    ]);
  });

  it('names every setting with a KHIPU_ variable and a distinct file key', () => {
    const keys = new Set(SETTINGS.map((s) => s.key));
    assert.equal(keys.size, SETTINGS.length);
    for (const s of SETTINGS) assert.match(s.env, /^KHIPU_[A-Z0-9_]+$/);
  });
});
