import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { componentLogger, createNodeLogger, logFileFor } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'khipu-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('[log] node logger', () => {
  it('writes JSON lines with level label, time, base fields and the component', () => {
    const file = join(dir, 'a', 'node.log');
    const root = createNodeLogger({ level: 'info', file, base: { chain: 'acme' } });
    componentLogger(root, 'rpc').info({ port: 8545 }, 'rpc listening');
    componentLogger(root, 'txpool').debug({ x: 1 }, 'not at info');
    root.error({ err: new Error('boom') }, 'failed');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].level, 'info');
    assert.equal(lines[0].component, 'rpc');
    assert.equal(lines[0].chain, 'acme');
    assert.equal(lines[0].port, 8545);
    assert.equal(lines[0].msg, 'rpc listening');
    assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(lines[1].err.message, 'boom');
    assert.match(lines[1].err.stack, /Error: boom/);
  });

  it('logs to a file in the data directory when a parent process runs the node', () => {
    assert.equal(logFileFor({ level: 'info', dataDir: '/data', parentRun: true }), '/data/logs/node.log');
    assert.equal(logFileFor({ level: 'info', dataDir: '/data', parentRun: false }), undefined);
    assert.equal(logFileFor({ level: 'info', file: '/x.log', dataDir: '/data', parentRun: true }), '/x.log');
  });
});
