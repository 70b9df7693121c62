// Bytes and messages the validators send each other, from the kernel's per-socket TCP counters
// (`ss -ti`): the node exports no per-message counters. Each peer connection appears once per
// end, and each end counts what it sent (bytes_acked, data_segs_out), so the sum over all ends is
// the mesh's traffic once. The peer layer writes one frame per write with TCP_NODELAY
// (libs/chain/src/p2p/sockets.ts), so data segments ≈ frames (a frame above the MSS counts more).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Sent by one end of one connection. */
export interface SocketCounters {
  bytes: number;
  segments: number;
}

/** Counters by connection end ("local peer"). */
export type SocketSnapshot = Map<string, SocketCounters>;

const field = (line: string, name: string): number =>
  Number(new RegExp(`\\b${name}:(\\d+)`).exec(line)?.[1] ?? 0);

/** Parses `ss -tinH` output: a socket line ("recvq sendq local peer"), then its info line. */
export function parseSs(text: string): SocketSnapshot {
  const out: SocketSnapshot = new Map();
  let key: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const cols = line.trim().split(/\s+/);
      key = cols.length >= 4 ? `${cols[2]} ${cols[3]}` : null;
    } else if (key !== null) {
      out.set(key, { bytes: field(line, 'bytes_acked'), segments: field(line, 'data_segs_out') });
      key = null;
    }
  }
  return out;
}

/** Every established TCP connection end whose local or remote port is one of `ports`. */
export async function snapshotSockets(ports: readonly number[]): Promise<SocketSnapshot> {
  const filter = ports.map((p) => `sport = :${p} or dport = :${p}`).join(' or ');
  const { stdout } = await promisify(execFile)('ss', ['-tinH', 'state', 'established', `( ${filter} )`], {
    maxBuffer: 16 << 20,
  });
  return parseSs(stdout);
}

/** Sent between two snapshots; a connection opened in between counts from zero. */
export function trafficBetween(before: SocketSnapshot, after: SocketSnapshot): SocketCounters {
  let bytes = 0;
  let segments = 0;
  for (const [key, a] of after) {
    const b = before.get(key);
    // A reused 4-tuple (closed and reopened) restarts its counters.
    const fresh = !b || a.bytes < b.bytes;
    bytes += a.bytes - (fresh ? 0 : b.bytes);
    segments += a.segments - (fresh ? 0 : b.segments);
  }
  return { bytes, segments };
}
