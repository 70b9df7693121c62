// Consensus and block sync in a node process: the TCP peer network (one connection per peer,
// carrying a consensus channel, a sync channel and, with a pool, a transactions channel:
// ../txpool/gossip.ts), the QBFT driver over the node's chain
// (`chainBlocks.ts`), its round state and evidence in Kesque (`stateStore.ts`), and block sync.
//
// A validator runs the driver from head + 1. When it falls behind (the engine reports `behind`,
// a periodic look at the peers' heads finds them two or more blocks ahead, or the driver stops on
// an input for a height the chain already left), it stops the driver, syncs, and starts a fresh
// engine at the new head (resuming the persisted round state when it is for that height, so a
// restart never signs twice in one round). A follower only syncs, on a timer.
import { PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { KnownTransactions } from '../importer/blockTransactions.js';
import type { ImportPhases } from '../importer/importer.js';
import type { Chain } from '../node/chain.js';
import { createConsensusMessageValidator } from '../p2p/consensusValidator.js';
import { createPeerNetwork, type ListenAddress, type PeerLimits, type PeerNetwork } from '../p2p/network.js';
import { createTransactionBatchValidator } from '../p2p/transactionBatch.js';
import type { MessageValidator, PeerEvent, StaticPeer, Transport } from '../p2p/types.js';
import type { BuiltBlock } from '../producer/producer.js';
import type { KVStore } from '../store/kv.js';
import { createBlockSync } from '../sync/blockSync.js';
import { Channel, createChannelMux, createChannelValidator } from '../sync/channels.js';
import { decodeSyncMessage } from '../sync/protocol.js';
import { createTransactionGossip, type GossipPool, type TransactionGossip } from '../txpool/gossip.js';
import { hashConsensusBlock } from './blockCodec.js';
import { type CommittedBlock, createChainBlocks, decisionOf } from './chainBlocks.js';
import { peekConsensusMessageType } from './codec.js';
import { createConsensusCrypto } from './crypto.js';
import { type BlockSource, type ConsensusDriver, createConsensusDriver } from './driver.js';
import { createConsensusEngine } from './engine.js';
import { ConsensusError, isConsensusError } from './errors.js';
import { steerFaultsByFile } from './faultsFile.js';
import { type ConsensusStateStore, openConsensusStateStore } from './stateStore.js';
import type { Address, ConsensusEvent, Decision, RoundTimeouts } from './types.js';
import type { ValidatorSchedule } from './validatorSchedule.js';

/** Peer-to-peer settings of a node (consensus/p2pConfig.ts reads them). */
export interface P2PSettings {
  /** TCP, and optionally WebSocket, listen addresses. */
  listen?: ListenAddress | readonly ListenAddress[];
  peers: StaticPeer[];
  /** Non-validators allowed to connect (they follow the chain by sync). */
  followers: Address[];
  /** The key a follower authenticates with (a validator uses its validator key). */
  nodeKey?: Uint8Array;
  roundTimeouts?: Partial<RoundTimeouts>;
  limits?: Partial<PeerLimits>;
  /** Tests only: steer faults of the consensus channel by this JSON file (faultsFile.ts). */
  faultsFile?: string;
}

export interface StartConsensusServiceParameters {
  chain: Chain;
  kv: KVStore;
  /** The validator key; without it the node follows. */
  validatorKey?: Uint8Array;
  p2p: P2PSettings;
  logger: Logger;
  /** Called for every block consensus or sync made the head. */
  onCommitted?: (block: CommittedBlock) => void | Promise<void>;
  onConsensusEvent?: (event: ConsensusEvent) => void;
  onPeerEvent?: (event: PeerEvent) => void;
  /** Wraps the consensus channel (tests inject faults: `createFaultyTransport`). */
  wrapConsensusTransport?: (transport: Transport) => Transport;
  /** How often a validator compares its head with its peers' (default 2 s). */
  syncCheckMs?: number;
  /** The node's pool: its RPC admissions are gossiped to the peers, the peers' admitted into it,
   *  and the importer takes a proposal's transactions from it when found there. */
  txpool?: GossipPool & KnownTransactions;
}

export interface ConsensusService {
  network: PeerNetwork;
  /** The port the peer network listens on (null when it only dials). */
  port: number | null;
  address: Address;
  role: 'validator' | 'follower';
  evidence: ConsensusStateStore;
  close(): Promise<void>;
}

/**
 * Validators the peer network admits while the chain works on `height`: the sets of the head,
 * of `height` and of the next epoch's first block, so that across an epoch boundary a joining
 * validator is connected before its first height and a leaving one can still sync the handover.
 */
export function admittedValidators(schedule: ValidatorSchedule, height: number): Address[] {
  const nextEpoch = (schedule.epochOf(height) + 1) * schedule.epochLength;
  const sets = [Math.max(0, height - 1), height, nextEpoch].map((h) => schedule.setAt(h).validators);
  return [...new Set(sets.flat())];
}

/** Events that place a height on this validator's timeline (debug level). */
const TIMELINE_EVENTS = new Set<ConsensusEvent['kind']>(['heightStarted', 'proposalAccepted', 'decided']);

/** A transport that logs (debug) the type of every consensus message this validator sends: the
 *  moments it prepared and committed, beside the received proposal and the decision. */
function loggingSends(transport: Transport, log: Logger): Transport {
  const sent = (bytes: Uint8Array, to?: Address) =>
    log.debug({ type: peekConsensusMessageType(bytes), ...(to ? { to } : {}) }, 'sent');
  return {
    broadcast(bytes) {
      sent(bytes);
      transport.broadcast(bytes);
    },
    send(to, bytes) {
      sent(bytes, to);
      return transport.send(to, bytes);
    },
    onMessage: (handler) => transport.onMessage(handler),
    connectedPeers: () => transport.connectedPeers(),
  };
}

/** Logs (debug) garbage collections of 10 ms or more: a pause stops consensus too. */
function watchLongGc(log: Logger): PerformanceObserver {
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.duration >= 10) {
        // perf_hooks' NODE_PERFORMANCE_GC_* flags: 1 minor (scavenge), 2 major, 4 incremental, 8 weak callbacks.
        const kind = (e as { detail?: { kind?: number } }).detail?.kind;
        log.debug({ ms: Math.round(e.duration), start: Math.round(e.startTime), kind }, 'gc');
      }
  });
  observer.observe({ entryTypes: ['gc'] });
  return observer;
}

function roundedPhases(phases: ImportPhases): Record<string, number> {
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
}

/** Most recent decisions handed to a fresh engine, so that it answers validators one height behind. */
const RECENT_DECISIONS = 8;

/** Starts the peer network, then the driver (validator) or the sync loop (follower). */
export async function startConsensusService(p: StartConsensusServiceParameters): Promise<ConsensusService> {
  const log = p.logger.child({ component: 'consensus' });
  const { chain } = p;
  const crypto = await createConsensusCrypto();
  const key = p.validatorKey ?? p.p2p.nodeKey;
  if (!key) {
    throw new ConsensusError(
      'INVALID_CONFIG',
      'a node on a peer network needs a validator key or a node key (KHIPU_P2P_NODE_KEY)',
    );
  }
  const signer = crypto.createSigner(key);
  const { schedule } = chain;
  const nextHeight = () => Number(chain.store.headNumber()) + 1;
  // A node with a validator key runs the driver even outside the set of its height: the engine
  // signs nothing there (a follower) and starts signing at the epoch that adds it.
  const isValidator = p.validatorKey !== undefined && chain.producer !== undefined;
  const stateStore = openConsensusStateStore(p.kv);
  const consensusCheck = createConsensusMessageValidator({
    chainId: chain.chainId,
    keccak256: crypto.keccak256,
    verifier: crypto.verifier,
    validators: () => schedule.setAt(nextHeight()).validators,
    validatorsAt: (height) => schedule.setAt(height).validators,
  });
  const syncCheck: MessageValidator = (bytes) => {
    try {
      decodeSyncMessage(bytes);
      return { verdict: 'accept' };
    } catch (e) {
      return { verdict: 'reject', code: e instanceof Error && 'code' in e ? String(e.code) : 'MALFORMED' };
    }
  };
  const network = createPeerNetwork({
    chainId: chain.chainId,
    signer,
    verifier: crypto.verifier,
    keccak256: crypto.keccak256,
    role: isValidator ? 'validator' : 'follower',
    ...(p.p2p.listen ? { listen: p.p2p.listen } : {}),
    peers: p.p2p.peers,
    validators: () => admittedValidators(schedule, nextHeight()),
    followers: p.p2p.followers,
    // Validators are fully meshed by their static peers; relaying would also relay sync answers.
    gossip: false,
    validateMessage: createChannelValidator({
      [Channel.consensus]: isValidator ? consensusCheck : () => ({ verdict: 'ignore' }),
      [Channel.sync]: syncCheck,
      [Channel.transactions]: p.txpool ? createTransactionBatchValidator() : () => ({ verdict: 'ignore' }),
    }),
    ...(p.p2p.limits ? { limits: p.p2p.limits } : {}),
    onEvent: (e) => {
      if (e.kind === 'peerConnected' || e.kind === 'peerDisconnected' || e.kind === 'peerBanned') {
        log.info(
          {
            peer: 'address' in e ? e.address : undefined,
            event: e.kind,
            peers: 'peers' in e ? e.peers : undefined,
          },
          'peer',
        );
      }
      p.onPeerEvent?.(e);
    },
  });
  const channel = createChannelMux(network);
  const steered = p.p2p.faultsFile ? steerFaultsByFile(channel(Channel.consensus), p.p2p.faultsFile) : null;
  const plain = steered?.transport ?? channel(Channel.consensus);
  const wrapped = p.wrapConsensusTransport ? p.wrapConsensusTransport(plain) : plain;
  const debug = log.isLevelEnabled('debug');
  const consensusTransport = debug ? loggingSends(wrapped, log) : wrapped;
  const gcWatch = debug ? watchLongGc(log) : null;
  const blocks = createChainBlocks({
    store: chain.store,
    importer: chain.importer,
    ...(isValidator && chain.producer ? { producer: chain.producer } : {}),
    // Half the block time for the proposer's execution: every validator runs the block again
    // before it votes, on machines that may be as busy.
    buildBudgetMs: chain.genesis.blockTimeMs / 2,
    ...(p.onCommitted ? { onCommitted: p.onCommitted } : {}),
    onProposalRefused: (height, reason) => log.warn({ height, reason }, 'proposal refused'),
    ...(debug
      ? {
          // known / decoded: the proposal's transactions found in the pool (gossip) / decoded here.
          onProposalPrepared: (height: number, phases: ImportPhases) =>
            log.debug(
              { height, ...roundedPhases(phases), ...chain.importer.lastTransactionCounts() },
              'proposal executed',
            ),
          onBlockBuilt: (height: number, transactions: number, phases: BuiltBlock['phases']) =>
            log.debug(
              {
                height,
                transactions,
                take: Math.round(phases.take * 1000),
                execute: Math.round(phases.execute * 1000),
                roots: Math.round(phases.roots * 1000),
              },
              'block built phases',
            ),
        }
      : {}),
  });
  // Where a height's time goes on this validator (debug level: KHIPU_LOG_LEVEL=debug).
  const timed = async <T>(task: () => Promise<T>, done: (ms: number) => void): Promise<T> => {
    const started = performance.now();
    const result = await task();
    done(Math.round(performance.now() - started));
    return result;
  };
  const timedBlocks: BlockSource = {
    buildBlock: (height, round) =>
      timed(
        () => blocks.buildBlock(height, round),
        (ms) => log.debug({ height, round, ms }, 'block built'),
      ),
    validateBlock: (height, hash, block) =>
      timed(
        () => blocks.validateBlock(height, hash, block),
        (ms) => log.debug({ height, ms, bytes: block.length }, 'proposal validated'),
      ),
  };
  const sync = createBlockSync({
    transport: channel(Channel.sync),
    store: chain.store,
    importBlock: (b) => blocks.importBlock(b),
    onBadPeer: (peer, error) => log.warn({ peer, err: error }, 'peer served a block that does not import'),
  });
  let gossip: TransactionGossip | null = null;
  if (p.txpool) {
    chain.importer.useKnownTransactions(p.txpool);
    gossip = createTransactionGossip({
      pool: p.txpool,
      transport: channel(Channel.transactions),
      keccak256: crypto.keccak256,
      roleOf: (peer) => network.roleOf(peer),
      penalize: (peer, code) => network.penalize(peer, code),
      logger: p.logger,
    });
  }
  const { port } = await network.start();

  let closed = false;
  let driver: ConsensusDriver | null = null;
  let resyncing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const baseMs = p.p2p.roundTimeouts?.baseMs ?? chain.genesis.blockTimeMs + 1000;
  const timeouts: RoundTimeouts = { baseMs, maxMs: p.p2p.roundTimeouts?.maxMs ?? baseMs * 4 };

  const catchUp = async () => {
    try {
      const n = await sync.catchUp();
      // A follower imports a block or two per look; only real catch-ups are worth an info line.
      if (n > 0)
        log[n >= 16 ? 'info' : 'debug']({ imported: n, head: Number(chain.store.headNumber()) }, 'synced');
    } catch (err) {
      log.warn({ err }, 'sync failed');
    }
  };

  const startDriver = () => {
    const head = chain.store.headNumber();
    const recent: Decision[] = [];
    for (let n = head; n > 0n && recent.length < RECENT_DECISIONS; n--) {
      const d = decisionOf(chain.store, n);
      if (d) recent.unshift(d);
    }
    const engine = createConsensusEngine({
      chainId: chain.chainId,
      signer,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock: hashConsensusBlock,
      timeouts,
      resume: stateStore.load(),
      validatorsAt: (height) => schedule.setAt(height),
    });
    const d = createConsensusDriver({
      engine,
      transport: consensusTransport,
      blocks: timedBlocks,
      store: {
        persistState: (s) => stateStore.persistState(s),
        commitDecision: (decision) =>
          timed(
            () => blocks.commitDecision(decision),
            (ms) => log.debug({ height: decision.height, round: decision.round, ms }, 'decision stored'),
          ),
      },
      validatorsAt: (height) => schedule.setAt(height),
      startHeight: Number(head) + 1,
      recentDecisions: recent,
      blockTimeMs: chain.genesis.blockTimeMs,
      onEvent: (e) => {
        // One height behind, the engine catches up by itself (certificates); further, sync.
        if (e.kind === 'behind') void checkPeers();
        else if (e.kind === 'roundChange') log.info(e, 'round change');
        else if (e.kind === 'equivocation') log.warn(e, 'equivocation');
        else if (debug && TIMELINE_EVENTS.has(e.kind)) log.debug(e, e.kind);
        p.onConsensusEvent?.(e);
      },
      onEvidence: (e) => {
        stateStore.addEvidence(e).catch((err) => log.error({ err }, 'evidence not stored'));
      },
      onFatal: (err) => {
        if (isConsensusError(err, 'CONFLICTING_DECISION')) {
          log.fatal({ err }, 'conflicting decision: consensus stopped');
          return;
        }
        log.warn({ err }, 'consensus driver stopped; syncing and restarting it');
        resync('driver stopped');
      },
    });
    driver = d;
    d.start();
  };

  function resync(reason: string): void {
    if (closed || resyncing || !isValidator) return;
    resyncing = (async () => {
      log.info({ reason, head: Number(chain.store.headNumber()) }, 'resync');
      const d = driver;
      driver = null;
      d?.stop();
      await d?.idle().catch(() => {});
      await blocks.release();
      await catchUp();
      if (!closed) startDriver();
    })().finally(() => {
      resyncing = null;
    });
  }

  const syncCheckMs = p.syncCheckMs ?? 2_000;
  async function checkPeers(): Promise<void> {
    if (closed || resyncing) return;
    const heads = await sync.peerHeads();
    const best = [...heads.values()].reduce((a, b) => (b > a ? b : a), 0n);
    if (best >= chain.store.headNumber() + 2n) resync('peers ahead');
  }
  const tick = async () => {
    if (closed) return;
    if (isValidator) {
      await checkPeers();
    } else {
      await catchUp();
    }
    if (!closed) timer = setTimeout(tick, isValidator ? syncCheckMs : chain.genesis.blockTimeMs);
  };

  if (isValidator) startDriver();
  timer = setTimeout(tick, isValidator ? syncCheckMs : 0);
  log.info(
    {
      address: signer.address,
      role: isValidator ? 'validator' : 'follower',
      p2pPort: port,
      peers: p.p2p.peers.length,
      validators: schedule.setAt(nextHeight()).validators.length,
      member: schedule.setAt(nextHeight()).validators.includes(signer.address),
      roundTimeoutMs: timeouts.baseMs,
    },
    'consensus started',
  );

  return {
    network,
    port,
    address: signer.address,
    role: isValidator ? 'validator' : 'follower',
    evidence: stateStore,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      gcWatch?.disconnect();
      await resyncing;
      const d = driver;
      d?.stop();
      await d?.idle().catch(() => {});
      sync.close();
      // Before the node closes the pool: admissions in flight still write its journal.
      await gossip?.close();
      steered?.stop();
      await blocks.release();
      await network.close();
    },
  };
}
