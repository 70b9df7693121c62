// Structured JSON logs (pino): one root logger per process, a child per component
// (`{ component: 'rpc' }`), data first and a short message second. A node run by a parent
// process (devnet, tests) writes to a file, so that its output never blocks on a pipe nobody reads.

import { join } from 'node:path';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/config.js';

export interface CreateNodeLoggerParameters {
  level: LogLevel;
  /** Write here; otherwise to stdout, unless `parentRun` (below) picks a file. */
  file?: string | undefined;
  /** Fields on every line, e.g. `{ chain: 'acme', node: 0 }`. */
  base?: Record<string, unknown>;
  /** Data directory: with a parent process and no `file`, logs go to `<dataDir>/logs/node.log`. */
  dataDir?: string;
  /** Whether a parent process runs this one. Default: it has an IPC channel (`process.send`). */
  parentRun?: boolean;
}

/** Where the logs go: the explicit file, the data directory's log file under a parent process,
 *  or stdout (`undefined`). */
export function logFileFor(parameters: CreateNodeLoggerParameters): string | undefined {
  if (parameters.file !== undefined) return parameters.file;
  const parentRun = parameters.parentRun ?? typeof process.send === 'function';
  if (parentRun && parameters.dataDir !== undefined) return join(parameters.dataDir, 'logs', 'node.log');
  return undefined;
}

/** The process's root logger. Errors go under `err` with their stack (pino's serializer). */
export function createNodeLogger(parameters: CreateNodeLoggerParameters): Logger {
  const file = logFileFor(parameters);
  const destination: DestinationStream =
    // Synchronous file writes: the node logs per block, not per transaction, and a line written
    // before a kill -9 should be on disk to explain it.
    file === undefined ? pino.destination(1) : pino.destination({ dest: file, mkdir: true, sync: true });
  return pino(
    {
      level: parameters.level,
      base: { pid: process.pid, ...parameters.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A component's logger: every line carries `component`. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
