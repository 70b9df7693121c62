// Test helper: the real node process (dist/main.js) on an ephemeral port, logging to a file.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  logFile: string;
  /** The head the node resumed from (its `node started` log line). */
  startHead: number;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export interface SpawnNodeParameters {
  dir: string;
  genesis: unknown;
  /** Absent: the node follows (it needs KHIPU_P2P_* in `env` to reach the chain). */
  validatorKey?: string;
  env?: Record<string, string>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts the node and resolves once its log says where it listens. */
export async function spawnNode(p: SpawnNodeParameters): Promise<NodeProcess> {
  mkdirSync(p.dir, { recursive: true });
  const genesisPath = join(p.dir, 'genesis.json');
  writeFileSync(genesisPath, JSON.stringify(p.genesis));
  const logFile = join(p.dir, `node-${Date.now()}-${Math.random().toString(16).slice(2)}.log`);
  // KHIPU_NODE_FLAGS: extra node flags for every node process (e.g. `--cpu-prof`), to profile
  // them in tests and benches (NODE_OPTIONS refuses some of those flags).
  const flags = (process.env.KHIPU_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...flags, MAIN], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      KHIPU_DATA_DIR: join(p.dir, 'data'),
      KHIPU_GENESIS: genesisPath,
      ...(p.validatorKey ? { KHIPU_VALIDATOR_KEY: p.validatorKey } : {}),
      KHIPU_RPC_HOST: '127.0.0.1',
      KHIPU_RPC_PORT: '0',
      KHIPU_LOG_FILE: logFile,
      ...p.env,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}: ${stderr}`);
    if (existsSync(logFile)) {
      const started = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"node started"'))
        .map((l) => JSON.parse(l) as { rpc: string; head: number })[0];
      if (started) {
        const url = `http://${started.rpc}`;
        return {
          child,
          url,
          wsUrl: `ws://${started.rpc}`,
          logFile,
          startHead: started.head,
          async stop() {
            child.kill('SIGTERM');
            await exited(child);
          },
          async kill() {
            child.kill('SIGKILL');
            await exited(child);
          },
        };
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node did not start within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One JSON-RPC call over HTTP, returning the whole answer (result or error). */
export async function rpcCall(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}
