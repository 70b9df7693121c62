// Fault injection for process-level tests (KHIPU_P2P_FAULTS_FILE): the consensus channel of the
// node goes through the fault-injecting transport, steered by a JSON file the test rewrites,
//   { "cut": ["0xaddress", ...], "dropRate": 0.1 }
// read every `pollMs`. A missing or unreadable file means no faults. Never set in production.
import { readFileSync } from 'node:fs';
import { createFaultyTransport, type FaultyTransport } from '../p2p/faultyTransport.js';
import type { Transport } from '../p2p/types.js';
import type { Address } from './types.js';

export interface FileSteeredTransport {
  transport: FaultyTransport;
  stop(): void;
}

interface Faults {
  cut: Address[];
  dropRate: number;
}

function readFaults(path: string): Faults {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { cut?: unknown; dropRate?: unknown };
    const cut = Array.isArray(json.cut) ? json.cut.filter((a): a is Address => typeof a === 'string') : [];
    const dropRate = typeof json.dropRate === 'number' ? json.dropRate : 0;
    return { cut: cut.map((a) => a.toLowerCase() as Address), dropRate };
  } catch {
    return { cut: [], dropRate: 0 };
  }
}

/** Wraps `inner` with faults read from `path` now and every `pollMs`. */
export function steerFaultsByFile(inner: Transport, path: string, pollMs = 100): FileSteeredTransport {
  const transport = createFaultyTransport(inner);
  let cut = new Set<Address>();
  const apply = () => {
    const faults = readFaults(path);
    const next = new Set(faults.cut);
    for (const a of cut) if (!next.has(a)) transport.heal(a);
    for (const a of next) if (!cut.has(a)) transport.cut(a);
    cut = next;
    transport.setDropRate(faults.dropRate);
  };
  apply();
  const timer = setInterval(apply, pollMs);
  timer.unref();
  return {
    transport,
    stop() {
      clearInterval(timer);
      transport.close();
    },
  };
}
