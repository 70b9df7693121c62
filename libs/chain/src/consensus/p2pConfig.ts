// The peer-to-peer settings of a node process, from environment variables (they complete the
// node configuration of ../config, whose README lists the others):
//
//   KHIPU_P2P_PORT                       listen port for peers; absent: no peer network (a lone validator)
//   KHIPU_P2P_HOST                       listen address (default 127.0.0.1)
//   KHIPU_P2P_WS_PORT                    also listen for peers over WebSocket on this port
//   KHIPU_P2P_PEERS                      static peers, comma-separated `tcp://0xaddress@host:port`,
//                                        `ws://0xaddress@host:port` or (TCP) `0xaddress@host:port`
//   KHIPU_P2P_FOLLOWERS                  non-validators allowed to connect, comma-separated `0xaddress`
//   KHIPU_P2P_NODE_KEY                   32-byte 0x hex key a follower authenticates with
//   KHIPU_CONSENSUS_ROUND_TIMEOUT_MS     first round's timeout (default block time + 1 s)
//   KHIPU_CONSENSUS_MAX_ROUND_TIMEOUT_MS cap of the doubling timeouts (default 4 × the first)
//   KHIPU_P2P_FAULTS_FILE                tests only: JSON file steering injected faults (faultsFile.ts)
import { ConfigError } from '../config/config.js';
import { isPeerError } from '../p2p/errors.js';
import { parsePeerUrl } from '../p2p/sockets.js';
import { isAddress } from './hex.js';
import type { P2PSettings } from './service.js';
import type { Address } from './types.js';

const HEX_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Reads the peer settings from `env`; null when KHIPU_P2P_PORT is absent.
 * @throws ConfigError listing every bad variable, with what was given.
 */
export function loadP2PSettings(env: Record<string, string | undefined>): P2PSettings | null {
  const problems: string[] = [];
  const raw = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = raw(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name}: must be an integer in ${min}..${max}, got "${v}"`);
      return undefined;
    }
    return n;
  };
  const port = int('KHIPU_P2P_PORT', 0, 65535);
  const host = raw('KHIPU_P2P_HOST') ?? '127.0.0.1';
  const peers: P2PSettings['peers'] = [];
  const wsPort = int('KHIPU_P2P_WS_PORT', 0, 65535);
  for (const entry of (raw('KHIPU_P2P_PEERS') ?? '').split(',').map((x) => x.trim())) {
    if (entry === '') continue;
    try {
      // Without a scheme a peer is TCP (the form devnets and older configurations use).
      peers.push(parsePeerUrl(entry.includes('://') ? entry : `tcp://${entry}`));
    } catch (e) {
      if (!isPeerError(e)) throw e;
      problems.push(
        `KHIPU_P2P_PEERS: each peer must be tcp://0xaddress@host:port, ws://0xaddress@host:port or 0xaddress@host:port, got "${entry}"`,
      );
    }
  }
  const followers: Address[] = [];
  for (const entry of (raw('KHIPU_P2P_FOLLOWERS') ?? '').split(',').filter((x) => x.trim() !== '')) {
    const a = entry.trim().toLowerCase();
    if (!isAddress(a))
      problems.push(`KHIPU_P2P_FOLLOWERS: each must be a 0x address of 20 bytes, got "${entry.trim()}"`);
    else followers.push(a);
  }
  const nodeKeyHex = raw('KHIPU_P2P_NODE_KEY');
  if (nodeKeyHex !== undefined && !HEX_KEY.test(nodeKeyHex)) {
    problems.push('KHIPU_P2P_NODE_KEY: must be 32 bytes of 0x hex');
  }
  const baseMs = int('KHIPU_CONSENSUS_ROUND_TIMEOUT_MS', 10, 600_000);
  const maxMs = int('KHIPU_CONSENSUS_MAX_ROUND_TIMEOUT_MS', 10, 3_600_000);
  if (problems.length > 0) throw new ConfigError(problems);
  if (port === undefined) return null;
  return {
    listen: [
      { host, port, transport: 'tcp' },
      ...(wsPort !== undefined ? [{ host, port: wsPort, transport: 'ws' as const }] : []),
    ],
    peers,
    followers,
    ...(raw('KHIPU_P2P_FAULTS_FILE') ? { faultsFile: raw('KHIPU_P2P_FAULTS_FILE') as string } : {}),
    ...(nodeKeyHex ? { nodeKey: new Uint8Array(Buffer.from(nodeKeyHex.slice(2), 'hex')) } : {}),
    roundTimeouts: {
      ...(baseMs !== undefined ? { baseMs } : {}),
      ...(maxMs !== undefined ? { maxMs } : {}),
    },
  };
}
