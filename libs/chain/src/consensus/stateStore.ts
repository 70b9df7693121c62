// What consensus keeps in the node's Kesque store: the validator's round state (height, round,
// lock) written durably before it signs anything in a round, so that a restart never signs a vote
// that conflicts with one it sent; and the equivocations it saw, for khipu_getEvidence.
//
//   consensus  0 -> RLP [height, round, prepared]   prepared = [] or [round, blockHash, block, [prepare, ...]]
//   evidence   0 -> count (8 bytes);  i (1..count) -> RLP [chainId, height, round, validator, step, first, second]
//              a vote = [blockHash, signedPart, signature, seal or empty]
import { RLP } from '@ethereumjs/rlp';
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util';
import type { KVStore } from '../store/kv.js';
import { Tables } from '../store/tables.js';
import { decodeConsensusMessage, encodeConsensusMessage } from './codec.js';
import { ConsensusError } from './errors.js';
import { createEvidencePool, type EvidenceQuery } from './evidence.js';
import { bytesToHex, hexToBytes } from './hex.js';
import type {
  Address,
  EquivocationEvidence,
  Hash,
  PersistedConsensusState,
  PrepareMessage,
  SignedVote,
  VoteStep,
} from './types.js';

type Nested = Uint8Array | Nested[];

const STATE_KEY = 0;
const COUNT_KEY = 0;
const STEPS: readonly VoteStep[] = ['proposal', 'prepare', 'commit'];

function corrupt(what: string, cause?: unknown): never {
  throw new ConsensusError('MALFORMED', `stored consensus ${what} does not decode`, { cause });
}

const num = (n: number | bigint) => bigIntToUnpaddedBytes(BigInt(n));
const toNumber = (v: Nested | undefined, what: string): number => {
  if (!(v instanceof Uint8Array)) corrupt(what);
  return Number(bytesToBigInt(v));
};
const bytesOf = (v: Nested | undefined, what: string): Uint8Array => {
  if (!(v instanceof Uint8Array)) corrupt(what);
  return v;
};
const listOf = (v: Nested | undefined, what: string): Nested[] => {
  if (!Array.isArray(v)) corrupt(what);
  return v;
};

export function encodePersistedState(s: PersistedConsensusState): Uint8Array {
  const prepared: Nested = s.prepared
    ? [
        num(s.prepared.round),
        hexToBytes(s.prepared.blockHash, 32),
        s.prepared.block,
        s.prepared.prepares.map((m) => encodeConsensusMessage(m)),
      ]
    : [];
  return RLP.encode([num(s.height), num(s.round), prepared]);
}

export function decodePersistedState(bytes: Uint8Array): PersistedConsensusState {
  let fields: Nested[];
  try {
    fields = listOf(RLP.decode(bytes) as Nested, 'state');
  } catch (cause) {
    corrupt('state', cause);
  }
  const prepared = listOf(fields[2], 'lock');
  return {
    height: toNumber(fields[0], 'height'),
    round: toNumber(fields[1], 'round'),
    prepared:
      prepared.length === 0
        ? null
        : {
            round: toNumber(prepared[0], 'lock round'),
            blockHash: bytesToHex(bytesOf(prepared[1], 'lock hash')) as Hash,
            block: bytesOf(prepared[2], 'lock block'),
            prepares: listOf(prepared[3], 'lock prepares').map((m) => {
              const message = decodeConsensusMessage(bytesOf(m, 'prepare'));
              if (message.type !== 'prepare') corrupt('lock prepare');
              return message as PrepareMessage;
            }),
          },
  };
}

const encodeVote = (v: SignedVote): Nested => [
  hexToBytes(v.blockHash, 32),
  v.signedPart,
  v.signature,
  v.seal ?? new Uint8Array(0),
];

function decodeVote(v: Nested | undefined): SignedVote {
  const f = listOf(v, 'evidence vote');
  const seal = bytesOf(f[3], 'evidence seal');
  return {
    blockHash: bytesToHex(bytesOf(f[0], 'evidence hash')) as Hash,
    signedPart: bytesOf(f[1], 'evidence signed part'),
    signature: bytesOf(f[2], 'evidence signature'),
    seal: seal.length === 0 ? null : seal,
  };
}

export function encodeEvidence(e: EquivocationEvidence): Uint8Array {
  return RLP.encode([
    num(e.chainId),
    num(e.height),
    num(e.round),
    hexToBytes(e.validator, 20),
    num(STEPS.indexOf(e.step)),
    encodeVote(e.first),
    encodeVote(e.second),
  ]);
}

export function decodeEvidence(bytes: Uint8Array): EquivocationEvidence {
  let f: Nested[];
  try {
    f = listOf(RLP.decode(bytes) as Nested, 'evidence');
  } catch (cause) {
    corrupt('evidence', cause);
  }
  const step = STEPS[toNumber(f[4], 'evidence step')];
  if (!step) corrupt('evidence step');
  return {
    chainId: BigInt(toNumber(f[0], 'evidence chain')),
    height: toNumber(f[1], 'evidence height'),
    round: toNumber(f[2], 'evidence round'),
    validator: bytesToHex(bytesOf(f[3], 'evidence validator')) as Address,
    step,
    first: decodeVote(f[5]),
    second: decodeVote(f[6]),
  };
}

/** The consensus tables of the node's store. */
export interface ConsensusStateStore {
  /** The round state persisted last, or null on a validator that never signed. */
  load(): PersistedConsensusState | null;
  /** Writes the round state; durable when the promise resolves (the store's durability). */
  persistState(state: PersistedConsensusState): Promise<void>;
  /** Keeps evidence (once per validator, height, round and step); false when already kept. */
  addEvidence(evidence: EquivocationEvidence): Promise<boolean>;
  /** Evidence matching `query`, ascending by height, then round. */
  listEvidence(query?: EvidenceQuery): EquivocationEvidence[];
}

/** Opens the consensus tables of `kv`; reads the stored evidence into memory. */
export function openConsensusStateStore(kv: KVStore): ConsensusStateStore {
  const pool = createEvidencePool({ maxEntries: 100_000 });
  const countBytes = kv.get(Tables.evidence, COUNT_KEY);
  let count = countBytes ? Number(bytesToBigInt(countBytes)) : 0;
  for (let i = 1; i <= count; i++) {
    const bytes = kv.get(Tables.evidence, i);
    if (bytes) pool.add(decodeEvidence(bytes));
  }
  let writes: Promise<unknown> = Promise.resolve();
  return {
    load() {
      const bytes = kv.get(Tables.consensus, STATE_KEY);
      return bytes ? decodePersistedState(bytes) : null;
    },
    persistState: (state) =>
      kv.batch([
        { type: 'put', table: Tables.consensus, key: STATE_KEY, value: encodePersistedState(state) },
      ]),
    addEvidence(evidence) {
      if (!pool.add(evidence)) return Promise.resolve(false);
      count++;
      const n = count;
      // In arrival order, one batch each: the count and the entry land together.
      writes = writes.then(() =>
        kv.batch([
          { type: 'put', table: Tables.evidence, key: n, value: encodeEvidence(evidence) },
          { type: 'put', table: Tables.evidence, key: COUNT_KEY, value: num(n) },
        ]),
      );
      return writes.then(() => true);
    },
    listEvidence: (query) => pool.list(query),
  };
}
