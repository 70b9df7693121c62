#!/usr/bin/env node
// An enterprise chain node: libs/chain with the Outbox system contract in genesis. Configured by
// environment variables and an optional JSON file (libs/chain's config module: see its README),
// peers and consensus timeouts from KHIPU_P2P_* (libs/chain consensus/p2pConfig.ts); stops cleanly
// on SIGINT / SIGTERM.
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  createNodeLogger,
  loadNodeConfig,
  loadP2PSettings,
  type NodeConfig,
  OUTBOX_ADDRESS,
  type P2PSettings,
  parseGenesisConfig,
  startNode,
} from '@khipu/chain';
import { Outbox } from './generated/contracts.js';

async function main(): Promise<void> {
  let config: NodeConfig;
  let p2p: P2PSettings | null;
  try {
    config = loadNodeConfig({ env: process.env });
    p2p = loadP2PSettings(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`khipu-chain: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createNodeLogger({
    level: config.log.level,
    file: config.log.file,
    dataDir: config.dataDir,
  });
  let genesisJSON: unknown;
  try {
    genesisJSON = JSON.parse(readFileSync(config.genesisPath, 'utf8'));
  } catch (e) {
    process.stderr.write(
      `khipu-chain: genesis ${config.genesisPath}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(2);
  }
  const genesis = parseGenesisConfig(genesisJSON, [
    { name: 'Outbox', address: OUTBOX_ADDRESS, code: Outbox.deployedBytecode },
  ]);
  const node = await startNode({
    dataDir: config.dataDir,
    genesis,
    ...(config.validatorKey ? { validatorKey: config.validatorKey } : {}),
    logger,
    rpc: {
      host: config.rpc.host,
      port: config.rpc.port,
      limits: config.rpc.limits,
      methods: config.rpc.methods,
      corsOrigin: config.rpc.corsOrigin,
    },
    txpool: {
      limits: config.txpool.limits,
      journal: config.txpool.journal,
      journalFsync: config.txpool.journalFsync,
      recoveryThreads: config.txpool.recoveryThreads,
    },
    metrics: config.metrics.enabled,
    durability: config.durability,
    execution: { mode: config.execution.mode, workers: config.execution.workers },
    stateRetention: { archive: config.archive, blocks: config.stateRetentionBlocks },
    metricsLabels: { chain: config.chainLabel ?? genesis.name },
    ...(p2p ? { p2p } : {}),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`khipu-chain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
