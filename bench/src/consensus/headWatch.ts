// When each validator makes each height its head, from its own `newHeads` subscription (WebSocket
// pushes, so watching adds no polling load to a loaded machine). The spread between the first and
// the last validator to commit a height shows how late the ones that did not build it start the
// next height (their round timer and, for the next proposer, its block-time wait start there).
import WebSocket from 'ws';

export interface HeadWatch {
  /** Height → arrival time (performance.now()) on each watched node, by node index. */
  arrivals: Map<number, Map<number, number>>;
  close(): void;
}

/** Subscribes to `newHeads` on every URL (ws://…); a node that goes away just stops reporting. */
export async function watchHeads(urls: readonly string[]): Promise<HeadWatch> {
  const arrivals = new Map<number, Map<number, number>>();
  const sockets = await Promise.all(
    urls.map(
      (url, node) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.once('error', reject);
          ws.once('open', () => {
            ws.off('error', reject);
            ws.on('error', () => {});
            ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
            resolve(ws);
          });
          ws.on('message', (data) => {
            const at = performance.now();
            const m = JSON.parse(String(data)) as { params?: { result?: { number?: string } } };
            const n = m.params?.result?.number;
            if (n === undefined) return;
            const height = Number(n);
            const byNode = arrivals.get(height) ?? new Map<number, number>();
            arrivals.set(height, byNode);
            if (!byNode.has(node)) byNode.set(node, at);
          });
        }),
    ),
  );
  return {
    arrivals,
    close() {
      for (const ws of sockets) ws.terminate();
    },
  };
}

/** For each height in [from, to] seen by every one of `nodes` nodes: last arrival − first, in ms, sorted. */
export function commitSpreads(
  arrivals: ReadonlyMap<number, ReadonlyMap<number, number>>,
  from: number,
  to: number,
  nodes: number,
): number[] {
  const out: number[] = [];
  for (let h = from; h <= to; h++) {
    const times = [...(arrivals.get(h)?.values() ?? [])];
    if (times.length < nodes) continue;
    out.push(Math.max(...times) - Math.min(...times));
  }
  return out.sort((a, b) => a - b);
}
