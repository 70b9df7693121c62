import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createNodeMetrics } from './metrics.js';

describe('[metrics] node metrics', () => {
  it('exports every series under Prometheus names with base units', async () => {
    const metrics = createNodeMetrics({ processMetrics: false, defaultLabels: { chain: 'acme' } });
    metrics.chain.headNumber.set(42);
    metrics.chain.blockInterval.observe(1.02);
    metrics.chain.gasUsed.inc(21_000);
    metrics.txpool.pending.set(3);
    metrics.rpc.requestDuration.observe({ method: 'eth_call', transport: 'http' }, 0.004);
    const text = await metrics.registry.metrics();
    assert.match(text, /^khipu_chain_head_block_number\{chain="acme"\} 42$/m);
    assert.match(text, /^khipu_chain_block_interval_seconds_bucket\{le="1.1",chain="acme"\} 1$/m);
    assert.match(text, /^khipu_chain_gas_used_total\{chain="acme"\} 21000$/m);
    assert.match(text, /^khipu_chain_txpool_pending_transactions\{chain="acme"\} 3$/m);
    assert.match(
      text,
      /^khipu_chain_rpc_request_duration_seconds_count\{chain="acme",method="eth_call",transport="http"\} 1$/m,
    );
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE'))) {
      const [, , name, type] = line.split(' ');
      if (type === 'counter') assert.match(name ?? '', /_total$/, `${name} is a counter`);
      assert.match(name ?? '', /^khipu_chain_/);
    }
  });

  it('reads Kesque counters at each scrape, per store', async () => {
    const metrics = createNodeMetrics({ processMetrics: false });
    let gets = 10;
    metrics.registerKesque('chain', () => ({
      gets,
      diskReads: 1,
      tagCollisions: 0,
      cacheHits: 5,
      cacheMisses: 5,
      bytesWritten: 4096,
      batches: 2,
      compactions: 0,
    }));
    assert.match(await metrics.registry.metrics(), /^khipu_chain_kesque_gets_total\{store="chain"\} 10$/m);
    gets = 25;
    const text = await metrics.registry.metrics();
    assert.match(text, /^khipu_chain_kesque_gets_total\{store="chain"\} 25$/m);
    assert.match(text, /^khipu_chain_kesque_written_bytes_total\{store="chain"\} 4096$/m);
  });

  it('adds process metrics with the khipu_chain_ prefix when asked', async () => {
    const metrics = createNodeMetrics({ registry: new Registry() });
    assert.match(await metrics.registry.metrics(), /^khipu_chain_process_resident_memory_bytes /m);
  });

  it('refuses to register twice in one registry', () => {
    const registry = new Registry();
    createNodeMetrics({ registry, processMetrics: false });
    assert.throws(() => createNodeMetrics({ registry, processMetrics: false }), /already been registered/);
  });
});
