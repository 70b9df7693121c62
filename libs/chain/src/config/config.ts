// The node's configuration: defaults, under an optional JSON file (KHIPU_CONFIG), under
// environment variables. Every setting is validated at start; all problems are reported at
// once, each naming its variable, where the value came from, and what is wanted.
// The settings and their variables are listed in SETTINGS below and in README.md beside this file.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_RPC_METHOD_OPTIONS, type RpcMethodOptions } from '../rpc/context.js';
import { DEFAULT_RPC_SERVER_LIMITS, type RpcServerLimits } from '../rpc/server.js';
import { DEFAULT_TXPOOL_LIMITS, type TxPoolLimits } from '../txpool/pool.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type DurabilitySetting =
  | { mode: 'always' }
  | { mode: 'never' }
  | { mode: 'interval'; intervalMs: number };

/** The validated configuration of a node process. */
export interface NodeConfig {
  /** Data directory (Kesque store, transaction journal, logs). */
  dataDir: string;
  /** Genesis JSON file. */
  genesisPath: string;
  /** This node's validator key; absent: the node follows but does not produce. */
  validatorKey: Uint8Array | undefined;
  /** `chain` label on every metric; absent: the genesis name. */
  chainLabel: string | undefined;
  execution: { mode: 'serial' | 'parallel'; workers: number };
  durability: DurabilitySetting;
  /** Keep the state of every block (archive) instead of the last `stateRetentionBlocks`. */
  archive: boolean;
  stateRetentionBlocks: number;
  rpc: {
    host: string;
    port: number;
    /** Access-Control-Allow-Origin; `undefined` disables CORS headers. */
    corsOrigin: string | undefined;
    limits: RpcServerLimits;
    methods: RpcMethodOptions;
  };
  txpool: {
    limits: TxPoolLimits;
    journal: boolean;
    journalFsync: boolean;
    /** Threads recovering submitted transactions' senders; 0: on the main thread. */
    recoveryThreads: number;
  };
  log: { level: LogLevel; file: string | undefined };
  metrics: { enabled: boolean };
}

/** Thrown with every problem found, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG' as const;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

// ---- value schemas (input: the env string, or a JSON value from the file) ----

const text = z.string().trim().min(1, 'must not be empty');
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: 'must be an integer' })
      .int('must be an integer')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
const boolean = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.union(
    [
      z.boolean(),
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'])
        .transform((v) => v === 'true' || v === '1' || v === 'yes'),
    ],
    { error: 'must be true or false' },
  ),
);
/** A non-negative integer that may exceed 2^53 (wei, gas): decimal or 0x hex, or a safe JSON number. */
const bigUint = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v),
  z
    .string({ error: 'must be a decimal or 0x-hex integer' })
    .trim()
    .regex(/^(0x[0-9a-fA-F]{1,64}|\d{1,78})$/, 'must be a decimal or 0x-hex integer')
    .transform((v) => BigInt(v)),
);
const privateKey = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of 0x hex')
  .transform((v) => Uint8Array.from(Buffer.from(v.slice(2), 'hex')));
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'must be one of fatal, error, warn, info, debug, trace, silent',
});
const durability = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z
    .string()
    .trim()
    .regex(/^(always|never|\d+)$/, 'must be always, never or an fsync interval in ms')
    .transform(
      (v): DurabilitySetting =>
        v === 'always'
          ? { mode: 'always' }
          : v === 'never'
            ? { mode: 'never' }
            : { mode: 'interval', intervalMs: Number(v) },
    ),
);

interface Setting {
  /** Environment variable. */
  env: string;
  /** Key in the JSON file. */
  key: string;
  schema: z.ZodType;
  /** Default (as the env string would give it), or `undefined` when optional / required. */
  fallback?: string;
  required?: boolean;
  doc: string;
}

/** Every setting: its variable, file key, default and meaning. README.md lists the same. */
export const SETTINGS = [
  { env: 'KHIPU_DATA_DIR', key: 'dataDir', schema: text, required: true, doc: 'data directory' },
  { env: 'KHIPU_GENESIS', key: 'genesis', schema: text, required: true, doc: 'genesis JSON file' },
  {
    env: 'KHIPU_VALIDATOR_KEY',
    key: 'validatorKey',
    schema: privateKey,
    doc: 'validator private key (0x hex)',
  },
  {
    env: 'KHIPU_VALIDATOR_KEY_FILE',
    key: 'validatorKeyFile',
    schema: text,
    doc: 'file holding the validator key',
  },
  {
    env: 'KHIPU_CHAIN_LABEL',
    key: 'chainLabel',
    schema: text,
    doc: '`chain` label on every metric (default: genesis name)',
  },
  {
    env: 'KHIPU_EXECUTION_MODE',
    key: 'executionMode',
    schema: z.enum(['serial', 'parallel'], { error: 'must be serial or parallel' }),
    fallback: 'serial',
    doc: 'block execution: serial or parallel',
  },
  {
    env: 'KHIPU_EXECUTION_WORKERS',
    key: 'executionWorkers',
    schema: integer(1, 64),
    fallback: '2',
    doc: 'worker threads in parallel mode',
  },
  {
    env: 'KHIPU_DURABILITY',
    key: 'durability',
    schema: durability,
    fallback: 'always',
    doc: 'Kesque fsync: always, never, or an interval in ms',
  },
  {
    env: 'KHIPU_ARCHIVE',
    key: 'archive',
    schema: boolean,
    fallback: 'false',
    doc: 'keep the state of every block',
  },
  {
    env: 'KHIPU_STATE_RETENTION_BLOCKS',
    key: 'stateRetentionBlocks',
    schema: integer(128, 1_000_000_000),
    fallback: '128',
    doc: 'blocks of past state kept (without archive)',
  },
  { env: 'KHIPU_RPC_HOST', key: 'rpcHost', schema: text, fallback: '127.0.0.1', doc: 'RPC listen address' },
  {
    env: 'KHIPU_RPC_PORT',
    key: 'rpcPort',
    schema: integer(0, 65_535),
    fallback: '8545',
    doc: 'RPC port: HTTP, WebSocket and /metrics',
  },
  {
    env: 'KHIPU_RPC_CORS_ORIGIN',
    key: 'rpcCorsOrigin',
    schema: z.string().trim(),
    fallback: '*',
    doc: 'Access-Control-Allow-Origin; empty disables CORS',
  },
  {
    env: 'KHIPU_RPC_MAX_REQUEST_BYTES',
    key: 'rpcMaxRequestBytes',
    schema: integer(1024, 128 * 1024 * 1024),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxRequestBytes),
    doc: 'largest request body or WebSocket message',
  },
  {
    env: 'KHIPU_RPC_MAX_BATCH_LENGTH',
    key: 'rpcMaxBatchLength',
    schema: integer(1, 100_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxBatchLength),
    doc: 'most requests in a batch',
  },
  {
    env: 'KHIPU_RPC_MAX_BATCH_RESPONSE_BYTES',
    key: 'rpcMaxBatchResponseBytes',
    schema: integer(1024, 1024 * 1024 * 1024),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxBatchResponseBytes),
    doc: 'answers of a batch past which its other requests are refused',
  },
  {
    env: 'KHIPU_RPC_MAX_WS_CONNECTIONS',
    key: 'rpcMaxWsConnections',
    schema: integer(1, 1_000_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxWsConnections),
    doc: 'most open WebSocket connections',
  },
  {
    env: 'KHIPU_RPC_WS_PING_INTERVAL_MS',
    key: 'rpcWsPingIntervalMs',
    schema: integer(1000, 3_600_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.wsPingIntervalMs),
    doc: 'WebSocket ping period; a client silent for two is dropped',
  },
  {
    env: 'KHIPU_RPC_MAX_SUBSCRIPTIONS',
    key: 'rpcMaxSubscriptions',
    schema: integer(1, 1_000_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxSubscriptionsPerConnection),
    doc: 'most subscriptions per WebSocket connection',
  },
  {
    env: 'KHIPU_RPC_FILTER_TIMEOUT_MS',
    key: 'rpcFilterTimeoutMs',
    schema: integer(1000, 86_400_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.filterTimeoutMs),
    doc: 'a filter not polled for this long is removed',
  },
  {
    env: 'KHIPU_RPC_MAX_FILTERS',
    key: 'rpcMaxFilters',
    schema: integer(1, 10_000_000),
    fallback: String(DEFAULT_RPC_SERVER_LIMITS.maxFilters),
    doc: 'most installed filters',
  },
  {
    env: 'KHIPU_RPC_GAS_CAP',
    key: 'rpcGasCap',
    schema: bigUint,
    fallback: String(DEFAULT_RPC_METHOD_OPTIONS.gasCap),
    doc: 'gas cap of eth_call and eth_estimateGas',
  },
  {
    env: 'KHIPU_RPC_MAX_LOG_BLOCK_RANGE',
    key: 'rpcMaxLogBlockRange',
    schema: bigUint,
    fallback: String(DEFAULT_RPC_METHOD_OPTIONS.maxLogBlockRange),
    doc: 'widest eth_getLogs block range',
  },
  {
    env: 'KHIPU_RPC_MAX_LOG_RESULTS',
    key: 'rpcMaxLogResults',
    schema: integer(1, 100_000_000),
    fallback: String(DEFAULT_RPC_METHOD_OPTIONS.maxLogResults),
    doc: 'most logs one eth_getLogs answers',
  },
  {
    env: 'KHIPU_RPC_MIN_PRIORITY_FEE_WEI',
    key: 'rpcMinPriorityFeeWei',
    schema: bigUint,
    fallback: String(DEFAULT_RPC_METHOD_OPTIONS.minSuggestedPriorityFee),
    doc: 'floor of the suggested tip',
  },
  {
    env: 'KHIPU_TXPOOL_MIN_TIP_WEI',
    key: 'txpoolMinTipWei',
    schema: bigUint,
    fallback: String(DEFAULT_TXPOOL_LIMITS.minTip),
    doc: 'least tip (legacy: gas price) the pool accepts',
  },
  {
    env: 'KHIPU_TXPOOL_PRICE_BUMP_PERCENT',
    key: 'txpoolPriceBumpPercent',
    schema: integer(1, 1000),
    fallback: String(DEFAULT_TXPOOL_LIMITS.priceBumpPercent),
    doc: 'fee raise a replacement needs',
  },
  {
    env: 'KHIPU_TXPOOL_ACCOUNT_SLOTS',
    key: 'txpoolAccountSlots',
    schema: integer(1, 10_000_000),
    fallback: String(DEFAULT_TXPOOL_LIMITS.accountSlots),
    doc: 'most executable transactions per sender',
  },
  {
    env: 'KHIPU_TXPOOL_ACCOUNT_QUEUE',
    key: 'txpoolAccountQueue',
    schema: integer(0, 10_000_000),
    fallback: String(DEFAULT_TXPOOL_LIMITS.accountQueue),
    doc: 'most future (gapped) transactions per sender',
  },
  {
    env: 'KHIPU_TXPOOL_GLOBAL_SLOTS',
    key: 'txpoolGlobalSlots',
    schema: integer(1, 10_000_000),
    fallback: String(DEFAULT_TXPOOL_LIMITS.globalSlots),
    doc: 'most transactions in the pool',
  },
  {
    env: 'KHIPU_TXPOOL_MAX_TX_BYTES',
    key: 'txpoolMaxTxBytes',
    schema: integer(1024, 16 * 1024 * 1024),
    fallback: String(DEFAULT_TXPOOL_LIMITS.maxTxBytes),
    doc: 'largest serialized transaction',
  },
  {
    env: 'KHIPU_TXPOOL_ALLOW_UNPROTECTED',
    key: 'txpoolAllowUnprotected',
    schema: boolean,
    fallback: 'false',
    doc: 'accept legacy transactions without EIP-155',
  },
  {
    env: 'KHIPU_TXPOOL_JOURNAL',
    key: 'txpoolJournal',
    schema: boolean,
    fallback: 'true',
    doc: 'journal admitted transactions (survive restarts)',
  },
  {
    env: 'KHIPU_TXPOOL_JOURNAL_FSYNC',
    key: 'txpoolJournalFsync',
    schema: boolean,
    fallback: 'false',
    doc: 'fsync each journal append (power-loss safe)',
  },
  {
    env: 'KHIPU_TXPOOL_RECOVERY_THREADS',
    key: 'txpoolRecoveryThreads',
    schema: integer(0, 16),
    fallback: '0',
    doc: 'threads recovering senders of submitted transactions (0: the main thread)',
  },
  { env: 'KHIPU_LOG_LEVEL', key: 'logLevel', schema: logLevel, fallback: 'info', doc: 'log level' },
  {
    env: 'KHIPU_LOG_FILE',
    key: 'logFile',
    schema: text,
    doc: 'write JSON logs to this file instead of stdout',
  },
  {
    env: 'KHIPU_METRICS',
    key: 'metrics',
    schema: boolean,
    fallback: 'true',
    doc: 'serve Prometheus metrics at /metrics',
  },
] as const satisfies readonly Setting[];

type SettingKey = (typeof SETTINGS)[number]['key'];

export interface LoadNodeConfigParameters {
  /** Usually `process.env`. */
  env: Record<string, string | undefined>;
  /** Read a file (tests pass their own). Default: `readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
}

function describe(value: unknown): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
}

/**
 * Reads the configuration: defaults, the JSON file named by KHIPU_CONFIG, then the environment.
 * @throws ConfigError listing every missing or invalid setting (and unknown file keys).
 * @example loadNodeConfig({ env: process.env })
 */
export function loadNodeConfig(parameters: LoadNodeConfigParameters): NodeConfig {
  const { env } = parameters;
  const readFile = parameters.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  const configPath = env.KHIPU_CONFIG?.trim();
  if (configPath) {
    try {
      const parsed: unknown = JSON.parse(readFile(configPath));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a JSON object');
      file = parsed as Record<string, unknown>;
      const known = new Set<string>(SETTINGS.map((s) => s.key));
      for (const key of Object.keys(file)) {
        if (!known.has(key)) problems.push(`${configPath}: unknown setting "${key.slice(0, 40)}"`);
      }
    } catch (error) {
      problems.push(`KHIPU_CONFIG ${configPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const values = new Map<SettingKey, unknown>();
  for (const setting of SETTINGS as readonly Setting[]) {
    const fromEnv = env[setting.env];
    let raw: unknown;
    let source: string;
    if (fromEnv !== undefined && fromEnv !== '') {
      raw = fromEnv;
      source = setting.env;
    } else if (file[setting.key] !== undefined && file[setting.key] !== null) {
      raw = file[setting.key];
      source = `${setting.key} in ${configPath}`;
    } else if (setting.fallback !== undefined) {
      raw = setting.fallback;
      source = `default of ${setting.env}`;
    } else {
      if (setting.required) problems.push(`${setting.env} is required (${setting.doc})`);
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) values.set(setting.key as SettingKey, parsed.data);
    else {
      const issue = parsed.error.issues[0]?.message ?? 'is invalid';
      problems.push(`${source}: ${issue}, got "${describe(raw)}"`);
    }
  }

  // The key may come from a file instead of the variable.
  if (!values.has('validatorKey') && values.has('validatorKeyFile')) {
    const keyFile = values.get('validatorKeyFile') as string;
    try {
      const parsed = privateKey.safeParse(readFile(keyFile).trim());
      if (parsed.success) values.set('validatorKey', parsed.data);
      else problems.push(`KHIPU_VALIDATOR_KEY_FILE ${keyFile}: must hold 32 bytes of 0x hex`);
    } catch (error) {
      problems.push(
        `KHIPU_VALIDATOR_KEY_FILE ${keyFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const get = <T>(key: SettingKey) => values.get(key) as T;
  const corsOrigin = get<string>('rpcCorsOrigin');
  return {
    dataDir: get('dataDir'),
    genesisPath: get('genesis'),
    validatorKey: get('validatorKey'),
    chainLabel: get('chainLabel'),
    execution: { mode: get('executionMode'), workers: get('executionWorkers') },
    durability: get('durability'),
    archive: get('archive'),
    stateRetentionBlocks: get('stateRetentionBlocks'),
    rpc: {
      host: get('rpcHost'),
      port: get('rpcPort'),
      corsOrigin: corsOrigin === '' ? undefined : corsOrigin,
      limits: {
        ...DEFAULT_RPC_SERVER_LIMITS,
        maxRequestBytes: get('rpcMaxRequestBytes'),
        maxBatchLength: get('rpcMaxBatchLength'),
        maxBatchResponseBytes: get('rpcMaxBatchResponseBytes'),
        maxWsConnections: get('rpcMaxWsConnections'),
        maxSubscriptionsPerConnection: get('rpcMaxSubscriptions'),
        wsPingIntervalMs: get('rpcWsPingIntervalMs'),
        filterTimeoutMs: get('rpcFilterTimeoutMs'),
        maxFilters: get('rpcMaxFilters'),
      },
      methods: {
        ...DEFAULT_RPC_METHOD_OPTIONS,
        gasCap: get('rpcGasCap'),
        maxLogBlockRange: get('rpcMaxLogBlockRange'),
        maxLogResults: get('rpcMaxLogResults'),
        minSuggestedPriorityFee: get('rpcMinPriorityFeeWei'),
      },
    },
    txpool: {
      limits: {
        minTip: get('txpoolMinTipWei'),
        minFeeCap: DEFAULT_TXPOOL_LIMITS.minFeeCap,
        priceBumpPercent: BigInt(get<number>('txpoolPriceBumpPercent')),
        accountSlots: get('txpoolAccountSlots'),
        accountQueue: get('txpoolAccountQueue'),
        globalSlots: get('txpoolGlobalSlots'),
        maxTxBytes: get('txpoolMaxTxBytes'),
        allowUnprotected: get('txpoolAllowUnprotected'),
      },
      journal: get('txpoolJournal'),
      journalFsync: get('txpoolJournalFsync'),
      recoveryThreads: get('txpoolRecoveryThreads'),
    },
    log: { level: get('logLevel'), file: get('logFile') },
    metrics: { enabled: get('metrics') },
  };
}
