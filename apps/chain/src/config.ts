// The node process's configuration: environment variables over an optional JSON file
// (KHIPU_CONFIG), validated at start with one clear message per problem.
//
//   KHIPU_CONFIG             JSON file with the same settings in camelCase (env wins)
//   KHIPU_DATA_DIR           data directory (required)
//   KHIPU_GENESIS            genesis JSON file (required)
//   KHIPU_VALIDATOR_KEY      validator private key, 0x hex (or KHIPU_VALIDATOR_KEY_FILE)
//   KHIPU_RPC_HOST           default 127.0.0.1
//   KHIPU_RPC_PORT           default 8545 (HTTP, WebSocket and /metrics on one port)
//   KHIPU_LOG_LEVEL          trace|debug|info|warn|error (default info)
//   KHIPU_LOG_FILE           write JSON logs there instead of stdout
//   KHIPU_EXECUTION_MODE     serial|parallel (default serial)
//   KHIPU_EXECUTION_WORKERS  worker threads in parallel mode (default 2)
//   KHIPU_DURABILITY         always|never|<ms> fsync interval (default always)
//   KHIPU_CHAIN_LABEL        `chain` label on every metric (default the genesis name)
import { readFileSync } from 'node:fs';

export interface NodeProcessConfig {
  dataDir: string;
  genesisPath: string;
  validatorKey: Uint8Array | undefined;
  rpcHost: string;
  rpcPort: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  logFile: string | undefined;
  executionMode: 'serial' | 'parallel';
  executionWorkers: number;
  durability: { mode: 'always' } | { mode: 'never' } | { mode: 'interval'; intervalMs: number };
  chainLabel: string | undefined;
}

/** Thrown with every problem found, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const KEYS = {
  dataDir: 'KHIPU_DATA_DIR',
  genesis: 'KHIPU_GENESIS',
  validatorKey: 'KHIPU_VALIDATOR_KEY',
  validatorKeyFile: 'KHIPU_VALIDATOR_KEY_FILE',
  rpcHost: 'KHIPU_RPC_HOST',
  rpcPort: 'KHIPU_RPC_PORT',
  logLevel: 'KHIPU_LOG_LEVEL',
  logFile: 'KHIPU_LOG_FILE',
  executionMode: 'KHIPU_EXECUTION_MODE',
  executionWorkers: 'KHIPU_EXECUTION_WORKERS',
  durability: 'KHIPU_DURABILITY',
  chainLabel: 'KHIPU_CHAIN_LABEL',
} as const;

type Key = keyof typeof KEYS;

/**
 * Reads the configuration from `env` (and the file it names).
 * @throws ConfigError listing every invalid or missing setting.
 */
export function loadNodeConfig(env: NodeJS.ProcessEnv): NodeProcessConfig {
  const problems: string[] = [];
  let file: Partial<Record<Key, unknown>> = {};
  if (env.KHIPU_CONFIG) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(env.KHIPU_CONFIG, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not a JSON object');
      file = parsed as Partial<Record<Key, unknown>>;
      for (const k of Object.keys(file))
        if (!(k in KEYS)) problems.push(`${env.KHIPU_CONFIG}: unknown setting "${k}"`);
    } catch (e) {
      problems.push(`KHIPU_CONFIG ${env.KHIPU_CONFIG}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const get = (k: Key): string | undefined => {
    const v = env[KEYS[k]] ?? file[k];
    return v === undefined || v === '' ? undefined : String(v);
  };
  const dataDir = get('dataDir');
  if (!dataDir) problems.push(`${KEYS.dataDir} is required`);
  const genesisPath = get('genesis');
  if (!genesisPath) problems.push(`${KEYS.genesis} is required (a genesis JSON file)`);
  let keyHex = get('validatorKey');
  const keyFile = get('validatorKeyFile');
  if (!keyHex && keyFile) {
    try {
      keyHex = readFileSync(keyFile, 'utf8').trim();
    } catch (e) {
      problems.push(`${KEYS.validatorKeyFile} ${keyFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let validatorKey: Uint8Array | undefined;
  if (keyHex) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(keyHex)) problems.push(`${KEYS.validatorKey} must be 32 bytes of 0x hex`);
    else validatorKey = Buffer.from(keyHex.slice(2), 'hex');
  }
  const rpcHost = get('rpcHost') ?? '127.0.0.1';
  const rpcPortText = get('rpcPort') ?? '8545';
  const rpcPort = Number(rpcPortText);
  if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535) {
    problems.push(`${KEYS.rpcPort} must be a port number 0..65535, got "${rpcPortText}"`);
  }
  const logLevel = (get('logLevel') ?? 'info') as NodeProcessConfig['logLevel'];
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push(`${KEYS.logLevel} must be one of trace, debug, info, warn, error`);
  }
  const executionMode = (get('executionMode') ?? 'serial') as NodeProcessConfig['executionMode'];
  if (executionMode !== 'serial' && executionMode !== 'parallel') {
    problems.push(`${KEYS.executionMode} must be serial or parallel`);
  }
  const workersText = get('executionWorkers') ?? '2';
  const executionWorkers = Number(workersText);
  if (!Number.isInteger(executionWorkers) || executionWorkers < 1 || executionWorkers > 64) {
    problems.push(`${KEYS.executionWorkers} must be an integer 1..64`);
  }
  const durabilityText = get('durability') ?? 'always';
  let durability: NodeProcessConfig['durability'] = { mode: 'always' };
  if (durabilityText === 'never') durability = { mode: 'never' };
  else if (/^\d+$/.test(durabilityText))
    durability = { mode: 'interval', intervalMs: Number(durabilityText) };
  else if (durabilityText !== 'always')
    problems.push(`${KEYS.durability} must be always, never or a number of ms`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    dataDir: dataDir as string,
    genesisPath: genesisPath as string,
    validatorKey,
    rpcHost,
    rpcPort,
    logLevel,
    logFile: get('logFile'),
    executionMode,
    executionWorkers,
    durability,
    chainLabel: get('chainLabel'),
  };
}
