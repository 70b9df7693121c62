// Test helper: a byzantine validator in the test process. It joins the validators' peer network
// with its validator key and, for every proposal it sees, signs two prepares and two commits (with
// their seals) for different block hashes: the proposed one and a made-up one. It never proposes.
import { randomBytes } from 'node:crypto';
import {
  Channel,
  type CommitMessage,
  type ConsensusMessage,
  createChannelMux,
  createChannelValidator,
  createConsensusCrypto,
  createMessageDigester,
  createPeerNetwork,
  decodeConsensusMessage,
  encodeConsensusMessage,
  type PrepareMessage,
  type StaticPeer,
  sealDigest,
} from '@khipu/chain';

export interface ByzantinePeer {
  /** Heights and rounds it equivocated at. */
  readonly equivocations: number;
  close(): Promise<void>;
}

export interface StartByzantinePeerParameters {
  chainId: bigint;
  /** 0x private key of a validator of the chain. */
  key: string;
  port: number;
  peers: StaticPeer[];
  validators: `0x${string}`[];
}

export async function startByzantinePeer(p: StartByzantinePeerParameters): Promise<ByzantinePeer> {
  const crypto = await createConsensusCrypto();
  const signer = crypto.createSigner(Buffer.from(p.key.slice(2), 'hex'));
  const digest = createMessageDigester(crypto.keccak256);
  const network = createPeerNetwork({
    chainId: p.chainId,
    signer,
    verifier: crypto.verifier,
    keccak256: crypto.keccak256,
    listen: { host: '127.0.0.1', port: p.port },
    peers: p.peers,
    validators: () => p.validators,
    gossip: false,
    validateMessage: createChannelValidator({
      [Channel.consensus]: () => ({ verdict: 'accept' }),
      [Channel.sync]: () => ({ verdict: 'ignore' }),
    }),
  });
  const consensus = createChannelMux(network)(Channel.consensus);
  const sign = <M extends ConsensusMessage>(m: M): M => ({ ...m, signature: signer.sign(digest(m)) });
  const seen = new Set<string>();
  let equivocations = 0;
  consensus.onMessage((_from, bytes) => {
    let m: ConsensusMessage;
    try {
      m = decodeConsensusMessage(bytes);
    } catch {
      return;
    }
    const key = `${m.height}/${m.round}`;
    if (m.type !== 'proposal' || seen.has(key)) return;
    seen.add(key);
    equivocations++;
    const base = { chainId: p.chainId, height: m.height, round: m.round, sender: signer.address };
    const hashes = [m.blockHash, `0x${randomBytes(32).toString('hex')}` as const];
    for (const blockHash of hashes) {
      const prepare: PrepareMessage = { ...base, type: 'prepare', blockHash, signature: new Uint8Array(65) };
      consensus.broadcast(encodeConsensusMessage(sign(prepare)));
    }
    for (const blockHash of hashes) {
      const subject = {
        chainId: p.chainId,
        height: m.height,
        round: m.round,
        blockHash: Buffer.from(blockHash.slice(2), 'hex'),
      };
      const commit: CommitMessage = {
        ...base,
        type: 'commit',
        blockHash,
        seal: signer.sign(sealDigest(subject)),
        signature: new Uint8Array(65),
      };
      consensus.broadcast(encodeConsensusMessage(sign(commit)));
    }
  });
  await network.start();
  return {
    get equivocations() {
      return equivocations;
    },
    close: () => network.close(),
  };
}
