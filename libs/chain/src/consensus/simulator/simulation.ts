// A deterministic discrete-event simulation of N validators running the consensus engine over a
// faulty network. It checks, over the whole run:
//   safety    no two honest validators ever decide different blocks at one height, and every
//             decision carries valid seals from more than 2/3 of the validators;
//   liveness  after GST, with the honest and connected validators more than 2/3, every live
//             honest validator decides `heightsAfterGst` more heights within a bound;
//   honesty   no honest validator's message is ever rejected and no evidence ever names one.
// Everything random comes from the schedule's seed, so a seed reproduces a run exactly.
import {
  createMessageDigester,
  decodeConsensusMessage,
  encodeConsensusMessage,
  type UnsignedMessage,
} from '../codec.js';
import { type ConsensusEngine, createConsensusEngine } from '../engine.js';
import { ConsensusError } from '../errors.js';
import { bytesToHex, hexToBytes, shortHex } from '../hex.js';
import { isQuorumPower, maxFaulty } from '../quorum.js';
import { sealDigest } from '../seal.js';
import type {
  Address,
  CommitMessage,
  ConsensusMessage,
  ConsensusOutput,
  Decision,
  EquivocationEvidence,
  Hash,
  PersistedConsensusState,
  PrepareMessage,
  ProposalMessage,
  RoundChangeMessage,
  Signer,
  ValidatorSetView,
} from '../types.js';
import { createPrng, type Prng } from './prng.js';
import {
  allSets,
  type ByzantineBehaviour,
  faultsBoundedInEverySet,
  faultyNodes,
  type Schedule,
  setNodesAt,
  stakeOf,
} from './schedule.js';
import type { SimulatorCrypto } from './simCrypto.js';

export type ViolationKind =
  | 'safety'
  | 'liveness'
  | 'invalidDecision'
  | 'honestRejected'
  | 'honestAccused'
  | 'crash';

export interface Violation {
  kind: ViolationKind;
  detail: string;
  at: number;
}

export interface SimulationStats {
  /** Simulated ms at the end of the run. */
  endTime: number;
  events: number;
  deliveries: number;
  /** Highest height decided by an honest node. */
  height: number;
  /** Highest round any honest node reached. */
  maxRound: number;
  /** Simulated ms from GST until the liveness target was met (or the bound ran out). */
  msToLiveness: number;
  evidence: number;
  rejected: number;
  garbage: number;
}

export interface SimulationResult {
  ok: boolean;
  violation: Violation | null;
  stats: SimulationStats;
  /** Lines of the run's trace when `trace` was asked for. */
  trace: string[];
  /** Decided block hash per height (honest nodes). */
  decided: Map<number, Hash>;
  /** Rounds (decision round + 1) per height per honest node, for targeted tests. */
  decidedRounds: Map<number, number[]>;
  /** Evidence found by honest nodes. */
  evidence: EquivocationEvidence[];
}

export interface RunSimulationOptions {
  crypto: SimulatorCrypto;
  trace?: boolean;
  /** Stop after this many events (guards against a run that never ends; default 2,000,000). */
  maxEvents?: number;
  /** Called with every honest node's outputs (targeted tests inspect them). */
  onOutputs?: (node: number, outputs: readonly ConsensusOutput[], now: number) => void;
  /** Extra per-delivery filter (targeted tests): return false to drop the message. */
  filter?: (from: number, to: number, message: ConsensusMessage, now: number) => boolean;
  /**
   * Let more than f validators be faulty (tests of the checker itself: liveness must then fail).
   * Default false: such a schedule throws.
   */
  allowExcessFaults?: boolean;
  /** Supplies the block a proposer builds (targeted tests); default random bytes. */
  buildBlock?: (node: number, height: number, round: number) => Uint8Array | null;
}

const CHAIN_ID = 1337n;
const BLOCK_BYTES = 17;

type SimEvent =
  | { t: number; seq: number; type: 'deliver'; from: number; to: number; bytes: Uint8Array }
  | { t: number; seq: number; type: 'timer'; node: number; life: number; timerId: number }
  | {
      t: number;
      seq: number;
      type: 'built';
      node: number;
      life: number;
      height: number;
      round: number;
      block: Uint8Array;
    }
  | {
      t: number;
      seq: number;
      type: 'validated';
      node: number;
      life: number;
      height: number;
      blockHash: Hash;
      valid: boolean;
    }
  | { t: number; seq: number; type: 'start'; node: number; life: number; height: number }
  /** Block sync of a follower that fell behind: it fetches the decided blocks from the others. */
  | { t: number; seq: number; type: 'sync'; node: number; life: number }
  | { t: number; seq: number; type: 'crash'; node: number }
  | { t: number; seq: number; type: 'restart'; node: number };

type SimEventInit = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'seq'> : never) : never;

/** A binary min-heap on (t, seq): equal times keep insertion order, so runs are deterministic. */
class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(e: SimEventInit): void {
    const ev = e as SimEvent;
    ev.seq = this.seq++;
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, ev)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ev;
  }
  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && less(h[l]!, best)) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && less(h[r]!, best)) {
          m = r;
          best = h[r]!;
        }
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: SimEvent, b: SimEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

interface SimNode {
  index: number;
  signer: Signer;
  honest: boolean;
  behaviours: Set<ByzantineBehaviour>;
  engine: ConsensusEngine | null;
  up: boolean;
  /** Incarnation: timers and answers of an earlier life are discarded. */
  life: number;
  persisted: PersistedConsensusState | null;
  chain: Decision[];
}

/** The block format of the simulation: height u32 ‖ round u32 ‖ proposer u8 ‖ nonce 8. */
function makeBlock(prng: Prng, height: number, round: number, proposer: number, valid = true): Uint8Array {
  const b = new Uint8Array(BLOCK_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, valid ? height : height + 1_000_000, false);
  v.setUint32(4, round, false);
  b[8] = proposer;
  b.set(prng.bytes(8), 9);
  return b;
}

function isValidBlock(block: Uint8Array, height: number): boolean {
  return (
    block.length === BLOCK_BYTES &&
    new DataView(block.buffer, block.byteOffset).getUint32(0, false) === height
  );
}

function nodesStakes(s: Schedule): number[] {
  return Array.from({ length: s.validators }, (_, i) => stakeOf(s, i));
}

/** The sorted validator addresses of a simulated set of `n` and each one's node index. */
export function simulatedValidators(
  crypto: SimulatorCrypto,
  n: number,
): { validators: Address[]; nodeOf: Map<Address, number> } {
  const signers = crypto.signers(n);
  return {
    validators: signers.map((s) => s.address).sort(),
    nodeOf: new Map(signers.map((s, i) => [s.address, i])),
  };
}

/** Runs one schedule to its end and reports the first violation, if any. */
export function runSimulation(schedule: Schedule, options: RunSimulationOptions): SimulationResult {
  const { crypto } = options;
  const prng = createPrng(schedule.seed);
  const n = schedule.validators;
  const signers = crypto.signers(n);
  const indexOf = new Map<Address, number>(signers.map((s, i) => [s.address, i]));
  const faulty = faultyNodes(schedule);
  const stakes = nodesStakes(schedule);
  const powerOf = new Map<Address, bigint>(signers.map((s, i) => [s.address, BigInt(stakes[i]!)]));
  if (!faultsBoundedInEverySet(schedule) && !options.allowExcessFaults) {
    throw new ConsensusError(
      'INVALID_INPUT',
      'schedule has faulty validators with not less than 1/3 of the voting power of a set',
    );
  }
  // The set of each height, as a validator schedule gives it to the engine (`validatorsAt`).
  const viewOf = new Map<string, ValidatorSetView>();
  const validatorsAt = (height: number): ValidatorSetView => {
    const nodesOfSet = setNodesAt(schedule, height);
    const key = nodesOfSet.join(',');
    let view = viewOf.get(key);
    if (!view) {
      const members = nodesOfSet.map((i) => signers[i]!.address).sort();
      view = { validators: members, powers: members.map((v) => powerOf.get(v)!) };
      viewOf.set(key, view);
    }
    return view;
  };
  const isMemberAt = (node: number, height: number) => setNodesAt(schedule, height).includes(node);
  const largestSet = Math.max(...allSets(schedule).map((x) => x.length));
  const byzantineOf = new Map(schedule.byzantine.map((b) => [b.node, new Set(b.behaviours)]));
  const messageDigest = createMessageDigester(crypto.keccak256);
  const queue = new EventQueue();
  const trace: string[] = [];
  const tracing = options.trace === true;
  const decodeCache = new WeakMap<Uint8Array, ConsensusMessage | null>();
  const decided = new Map<number, Hash>();
  const decidedRounds = new Map<number, number[]>();
  const evidence: EquivocationEvidence[] = [];
  const stats: SimulationStats = {
    endTime: 0,
    events: 0,
    deliveries: 0,
    height: 0,
    maxRound: 0,
    msToLiveness: 0,
    evidence: 0,
    rejected: 0,
    garbage: 0,
  };
  let violation: Violation | null = null;
  let now = 0;
  const fail = (kind: ViolationKind, detail: string) => {
    violation ??= { kind, detail, at: now };
  };
  const log = (line: string) => {
    if (tracing) trace.push(`t=${now} ${line}`);
  };

  const nodes: SimNode[] = signers.map((signer, index) => ({
    index,
    signer,
    honest: !byzantineOf.has(index),
    behaviours: byzantineOf.get(index) ?? new Set(),
    engine: null,
    up: false,
    life: 0,
    persisted: null,
    chain: [],
  }));

  const describe = (m: ConsensusMessage): string => {
    const base = `${m.type} h${m.height} r${m.round} from n${indexOf.get(m.sender) ?? '?'}`;
    switch (m.type) {
      case 'proposal':
      case 'prepare':
      case 'commit':
      case 'certificate':
        return `${base} ${shortHex(m.blockHash)}`;
      case 'roundChange':
        return `${base} prepared=${m.prepared ? `r${m.prepared.round}:${shortHex(m.prepared.blockHash)}` : '-'}`;
    }
  };

  // ------------------------------------------------------------------------------------------
  // network

  const partitioned = (a: number, b: number): boolean => {
    for (const p of schedule.partitions) {
      if (now >= p.from && now < p.to && p.groups[a] !== p.groups[b]) return true;
    }
    return false;
  };

  const sendBytes = (from: number, to: number, bytes: Uint8Array, message: ConsensusMessage | null) => {
    if (from === to) return;
    if (message && options.filter && !options.filter(from, to, message, now)) return;
    let delay: number;
    if (now < schedule.gst) {
      if (partitioned(from, to) || prng.chance(schedule.dropRate)) return;
      delay = prng.between(1, schedule.maxDelayBeforeGst);
    } else {
      delay = prng.between(1, schedule.maxDelayAfterGst);
    }
    queue.push({ t: now + delay, type: 'deliver', from, to, bytes });
  };

  const encode = (m: ConsensusMessage): Uint8Array => {
    const bytes = encodeConsensusMessage(m);
    decodeCache.set(bytes, m);
    return bytes;
  };

  const sign = <M extends ConsensusMessage>(node: SimNode, unsigned: UnsignedMessage<M>): M =>
    ({ ...unsigned, signature: node.signer.sign(messageDigest(unsigned)) }) as unknown as M;

  // ------------------------------------------------------------------------------------------
  // byzantine behaviour: runs the honest engine, then bends what it sends

  const othersShuffled = (self: number): number[] => {
    const list = nodes.map((x) => x.index).filter((i) => i !== self);
    for (let i = list.length - 1; i > 0; i--) {
      const j = prng.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };

  const byzantineSend = (node: SimNode, m: ConsensusMessage, to: number | null) => {
    const b = node.behaviours;
    const targets = to === null ? othersShuffled(node.index) : [to];
    if (b.has('silent') && prng.chance(0.5)) return;
    if (b.has('garbage') && prng.chance(0.3)) {
      const victim = prng.pick(targets);
      const enc = encodeConsensusMessage(m);
      const kind = prng.int(4);
      let junk: Uint8Array;
      if (kind === 0) junk = prng.bytes(prng.between(0, 300));
      else if (kind === 1) junk = enc.slice(0, prng.int(enc.length));
      else if (kind === 2) {
        junk = new Uint8Array(enc.length + prng.between(1, 8));
        junk.set(enc, 0);
      } else {
        junk = enc.slice();
        const at = prng.int(junk.length);
        junk[at] = (junk[at]! ^ (1 + prng.int(255))) & 0xff;
      }
      sendBytes(node.index, victim, junk, null);
    }
    const half = Math.ceil(targets.length / 2);
    let alt: ConsensusMessage | null = null;
    if (m.type === 'proposal' && (b.has('equivocateProposal') || b.has('invalidBlock'))) {
      const block = makeBlock(
        prng,
        m.height,
        m.round,
        node.index,
        !b.has('invalidBlock') || prng.chance(0.5),
      );
      alt = sign<ProposalMessage>(node, { ...m, blockHash: crypto.hashBlock(block), block });
      if (!b.has('equivocateProposal')) {
        // Only an invalid block, to everyone.
        const bytes = encode(alt);
        for (const t of targets) sendBytes(node.index, t, bytes, alt);
        return;
      }
    } else if ((m.type === 'prepare' || m.type === 'commit') && b.has('equivocateVotes')) {
      const blockHash = bytesToHex(prng.bytes(32));
      if (m.type === 'prepare') alt = sign<PrepareMessage>(node, { ...m, blockHash });
      else {
        const seal = node.signer.sign(
          sealDigest({
            chainId: m.chainId,
            height: m.height,
            round: m.round,
            blockHash: hexToBytes(blockHash, 32),
          }),
        );
        alt = sign<CommitMessage>(node, { ...m, blockHash, seal });
      }
    } else if (m.type === 'roundChange' && b.has('fakeRoundChange') && m.round > 0) {
      const fake = sign<RoundChangeMessage>(node, {
        ...m,
        prepared: { round: m.round - 1, blockHash: bytesToHex(prng.bytes(32)) },
        certificate: prng.chance(0.5) ? null : { block: prng.bytes(BLOCK_BYTES), prepares: [] },
      });
      const bytes = encode(fake);
      for (const t of targets.slice(0, half)) sendBytes(node.index, t, bytes, fake);
    }
    const bytes = encode(m);
    const altBytes = alt ? encode(alt) : null;
    targets.forEach((t, i) => {
      if (altBytes && alt && i >= half) sendBytes(node.index, t, altBytes, alt);
      else sendBytes(node.index, t, bytes, m);
    });
  };

  // ------------------------------------------------------------------------------------------
  // carrying out outputs

  const liveHonest = nodes.filter((x) => x.honest && !faulty.has(x.index));

  const checkDecision = (node: SimNode, d: Decision) => {
    const subject = {
      chainId: CHAIN_ID,
      height: d.height,
      round: d.round,
      blockHash: hexToBytes(d.blockHash, 32),
    };
    const digest = sealDigest(subject);
    const set = validatorsAt(d.height);
    const totalPower = set.powers!.reduce((a, b) => a + b, 0n);
    const sealers = new Set<Address>();
    for (const s of d.seals) {
      if (
        !set.validators.includes(s.validator) ||
        !crypto.verifier.verify(digest, s.signature, s.validator)
      ) {
        fail(
          'invalidDecision',
          `n${node.index} decided h${d.height} with a bad seal of ${shortHex(s.validator)}`,
        );
      }
      sealers.add(s.validator);
    }
    const sealPower = [...sealers].reduce((a, v) => a + (powerOf.get(v) ?? 0n), 0n);
    if (!isQuorumPower(sealPower, totalPower)) {
      fail(
        'invalidDecision',
        `n${node.index} decided h${d.height} with seals of ${sealPower} of ${totalPower} power`,
      );
    }
    if (crypto.hashBlock(d.block) !== d.blockHash)
      fail('invalidDecision', `n${node.index} decided a block that is not its hash`);
    if (!isValidBlock(d.block, d.height))
      fail('invalidDecision', `n${node.index} decided an invalid block at h${d.height}`);
    const prior = decided.get(d.height);
    if (prior && prior !== d.blockHash) {
      fail(
        'safety',
        `n${node.index} decided ${shortHex(d.blockHash)} at h${d.height}, another node decided ${shortHex(prior)}`,
      );
    }
    decided.set(d.height, d.blockHash);
    if (d.height !== node.chain.length + 1) {
      fail('invalidDecision', `n${node.index} decided h${d.height} after h${node.chain.length}`);
    }
    const rounds = decidedRounds.get(d.height) ?? [];
    rounds.push(d.round + 1);
    decidedRounds.set(d.height, rounds);
    stats.height = Math.max(stats.height, d.height);
  };

  const apply = (node: SimNode, outputs: readonly ConsensusOutput[]) => {
    if (node.honest && options.onOutputs) options.onOutputs(node.index, outputs, now);
    for (const o of outputs) {
      switch (o.kind) {
        case 'broadcast':
        case 'send': {
          const to = o.kind === 'send' ? (indexOf.get(o.to) ?? -1) : null;
          if (to === -1) break;
          if (tracing)
            log(`n${node.index} ${o.kind === 'send' ? `-> n${to}` : 'broadcast'} ${describe(o.message)}`);
          if (!node.honest) {
            byzantineSend(node, o.message, to);
            break;
          }
          const bytes = encode(o.message);
          if (to !== null) sendBytes(node.index, to, bytes, o.message);
          else for (const x of nodes) sendBytes(node.index, x.index, bytes, o.message);
          break;
        }
        case 'setTimer':
          queue.push({
            t: now + o.afterMs,
            type: 'timer',
            node: node.index,
            life: node.life,
            timerId: o.timerId,
          });
          if (node.honest) stats.maxRound = Math.max(stats.maxRound, o.round);
          break;
        case 'buildBlock': {
          const custom = options.buildBlock?.(node.index, o.height, o.round) ?? null;
          const block = custom ?? makeBlock(prng, o.height, o.round, node.index);
          queue.push({
            t: now + schedule.buildMs,
            type: 'built',
            node: node.index,
            life: node.life,
            height: o.height,
            round: o.round,
            block,
          });
          break;
        }
        case 'validateBlock':
          queue.push({
            t: now + schedule.validateMs,
            type: 'validated',
            node: node.index,
            life: node.life,
            height: o.height,
            blockHash: o.blockHash,
            valid: isValidBlock(o.block, o.height),
          });
          break;
        case 'persist':
          node.persisted = o.state;
          break;
        case 'decide':
          if (tracing)
            log(
              `n${node.index} DECIDES h${o.decision.height} r${o.decision.round} ${shortHex(o.decision.blockHash)}`,
            );
          if (node.honest) checkDecision(node, o.decision);
          node.chain.push(o.decision);
          queue.push({
            t: now,
            type: 'start',
            node: node.index,
            life: node.life,
            height: o.decision.height + 1,
          });
          break;
        case 'evidence':
          if (!node.honest) break;
          evidence.push(o.evidence);
          stats.evidence++;
          if (nodes[indexOf.get(o.evidence.validator)!]!.honest) {
            fail(
              'honestAccused',
              `n${node.index} holds evidence against honest ${shortHex(o.evidence.validator)}`,
            );
          }
          break;
        case 'event':
          // A follower cannot ask validators for certificates: the node syncs blocks instead.
          if (o.event.kind === 'behind' && node.honest && !isMemberAt(node.index, o.event.height)) {
            queue.push({ t: now + schedule.validateMs, type: 'sync', node: node.index, life: node.life });
          }
          if (tracing && o.event.kind !== 'messageRejected')
            log(
              `n${node.index} event ${o.event.kind} ${JSON.stringify(o.event, (_k, v) => (Array.isArray(v) ? v.length : v))}`,
            );
          break;
      }
    }
  };

  const step = (node: SimNode, input: Parameters<ConsensusEngine['step']>[0], from = -1) => {
    if (!node.engine) return;
    let result: ReturnType<ConsensusEngine['step']>;
    try {
      result = node.engine.step(input);
    } catch (e) {
      fail('crash', `n${node.index} threw on ${input.kind}: ${(e as Error).stack ?? String(e)}`);
      return;
    }
    if (result.verdict === 'invalid') {
      stats.rejected++;
      if (input.kind === 'message') {
        if (tracing)
          log(
            `n${node.index} rejects ${describe(input.message)} from n${from}: ${result.rejection?.message}`,
          );
        if (node.honest && from >= 0 && nodes[from]!.honest) {
          fail(
            'honestRejected',
            `n${node.index} rejected ${describe(input.message)} from honest n${from}: ${result.rejection?.message}`,
          );
        }
      }
    }
    apply(node, result.outputs);
  };

  const boot = (node: SimNode) => {
    node.life++;
    node.up = true;
    node.engine = createConsensusEngine({
      chainId: CHAIN_ID,
      signer: node.signer,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock: crypto.hashBlock,
      sealDigest,
      timeouts: schedule.timeouts,
      resume: node.persisted,
      validatorsAt,
    });
    // The node's store survives a crash: it hands the engine its latest decisions back.
    for (const decision of node.chain.slice(-64)) step(node, { kind: 'rememberDecision', decision });
    step(node, { kind: 'startHeight', height: node.chain.length + 1 });
  };

  /** Block sync: copy the decisions an honest node has beyond ours (each one checked), then go on. */
  const sync = (node: SimNode) => {
    const source = nodes
      .filter((x) => x.honest)
      .reduce((a, b) => (b.chain.length > a.chain.length ? b : a), node);
    if (source === node) return;
    const fetched = source.chain.slice(node.chain.length);
    log(`n${node.index} SYNCS h${node.chain.length + 1}..h${source.chain.length} from n${source.index}`);
    for (const d of fetched) {
      checkDecision(node, d);
      node.chain.push(d);
      step(node, { kind: 'rememberDecision', decision: d });
    }
    step(node, { kind: 'startHeight', height: node.chain.length + 1 });
  };

  // ------------------------------------------------------------------------------------------
  // run

  for (const c of schedule.crashes) {
    queue.push({ t: c.at, type: 'crash', node: c.node });
    if (c.restartAt !== null) queue.push({ t: c.restartAt, type: 'restart', node: c.node });
  }
  for (const node of nodes) boot(node);

  const maxEvents = options.maxEvents ?? 2_000_000;
  // Consecutive faulty proposers cost a round each.
  const perHeight = (Math.max(maxFaulty(largestSet), faulty.size) + 2) * schedule.timeouts.maxMs;
  const deadline = schedule.gst + (schedule.heightsAfterGst + 3) * perHeight;
  let target = Number.POSITIVE_INFINITY;
  let reachedAt = -1;
  const chainHeight = (x: SimNode) => x.chain.length;

  while (violation === null) {
    const e = queue.pop();
    if (!e) break;
    if (e.t >= schedule.gst && target === Number.POSITIVE_INFINITY) {
      now = schedule.gst;
      target = Math.max(...liveHonest.map(chainHeight)) + schedule.heightsAfterGst;
      log(`GST: liveness target height ${target}`);
    }
    now = e.t;
    if (
      target !== Number.POSITIVE_INFINITY &&
      stats.height >= target &&
      liveHonest.every((x) => chainHeight(x) >= target)
    ) {
      reachedAt = now;
      break;
    }
    if (now > deadline) break;
    if (++stats.events > maxEvents) break;
    const node = e.type === 'deliver' ? nodes[e.to]! : nodes[e.node]!;
    switch (e.type) {
      case 'deliver': {
        if (!node.up) break;
        stats.deliveries++;
        let m = decodeCache.get(e.bytes);
        if (m === undefined) {
          try {
            m = decodeConsensusMessage(e.bytes);
          } catch {
            m = null;
          }
          decodeCache.set(e.bytes, m);
        }
        if (m === null) {
          stats.garbage++;
          if (nodes[e.from]!.honest)
            fail('honestRejected', `n${e.to} could not decode bytes from honest n${e.from}`);
          break;
        }
        step(node, { kind: 'message', message: m }, e.from);
        break;
      }
      case 'timer':
        if (node.up && node.life === e.life) step(node, { kind: 'timeout', timerId: e.timerId });
        break;
      case 'built':
        if (node.up && node.life === e.life)
          step(node, { kind: 'blockBuilt', height: e.height, round: e.round, block: e.block });
        break;
      case 'validated':
        if (node.up && node.life === e.life) {
          step(node, { kind: 'blockValidated', height: e.height, blockHash: e.blockHash, valid: e.valid });
        }
        break;
      case 'start':
        if (node.up && node.life === e.life && node.chain.length + 1 === e.height) {
          step(node, { kind: 'startHeight', height: e.height });
        }
        break;
      case 'sync':
        if (node.up && node.life === e.life) sync(node);
        break;
      case 'crash':
        log(`n${node.index} CRASHES`);
        node.up = false;
        node.engine = null;
        break;
      case 'restart':
        log(
          `n${node.index} RESTARTS at h${node.chain.length + 1} from ${node.persisted ? `h${node.persisted.height} r${node.persisted.round}` : 'nothing'}`,
        );
        boot(node);
        break;
    }
  }
  stats.endTime = now;
  if (violation === null && reachedAt < 0) {
    const heights = liveHonest.map((x) => `n${x.index}:h${chainHeight(x)}`).join(' ');
    fail(
      'liveness',
      `by t=${now} (GST ${schedule.gst}, bound ${deadline}) live honest nodes reached ${heights}, target h${target}`,
    );
  }
  stats.msToLiveness = (reachedAt < 0 ? now : reachedAt) - schedule.gst;
  return { ok: violation === null, violation, stats, trace, decided, decidedRounds, evidence };
}
