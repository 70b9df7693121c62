import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { startTestNode, type TestNode } from './testing/harness.js';

let node: TestNode;
before(async () => {
  node = await startTestNode({
    limits: { maxRequestBytes: 64 * 1024, maxBatchLength: 5, maxWsConnections: 3 },
  });
});
after(() => node.close());

type Answer = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string } };

describe('[rpc] JSON-RPC 2.0 framing over HTTP', () => {
  it('answers a request with jsonrpc, id and result', async () => {
    const { status, body } = await node.post('{"jsonrpc":"2.0","id":"a","method":"eth_chainId","params":[]}');
    assert.equal(status, 200);
    assert.deepEqual(body, { jsonrpc: '2.0', id: 'a', result: '0x539' });
  });

  it('accepts absent params', async () => {
    const { body } = await node.post('{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}');
    assert.deepEqual(body, { jsonrpc: '2.0', id: 1, result: '0x0' });
  });

  it('answers malformed JSON with -32700 and id null', async () => {
    for (const text of ['{"jsonrpc":"2.0",', 'nope', '', '[{]', '\u0000\u0001']) {
      const { status, body } = await node.post(text);
      assert.equal(status, 200);
      assert.deepEqual(
        body,
        { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } },
        text,
      );
    }
  });

  it('answers request objects that are not JSON-RPC 2.0 with -32600', async () => {
    const cases: [string, unknown][] = [
      ['1', null],
      ['"x"', null],
      ['{"id":1,"method":"eth_chainId"}', 1],
      ['{"jsonrpc":"1.0","id":2,"method":"eth_chainId"}', 2],
      ['{"jsonrpc":"2.0","id":3,"method":7}', 3],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"eth_chainId"}', null],
      ['{"jsonrpc":"2.0","id":[1],"method":"eth_chainId"}', null],
    ];
    for (const [text, id] of cases) {
      const { body } = await node.post(text);
      const answer = body as Answer;
      assert.equal(answer.error?.code, -32600, text);
      assert.equal(answer.id, id, text);
    }
  });

  it('answers an unknown method with -32601 in geth’s words', async () => {
    const { body } = await node.post('{"jsonrpc":"2.0","id":1,"method":"eth_mine","params":[]}');
    assert.deepEqual((body as Answer).error, {
      code: -32601,
      message: 'the method eth_mine does not exist/is not available',
    });
    const proto = await node.post('{"jsonrpc":"2.0","id":1,"method":"__proto__","params":[]}');
    assert.equal((proto.body as Answer).error?.code, -32601);
    const ctor = await node.post('{"jsonrpc":"2.0","id":1,"method":"constructor","params":[]}');
    assert.equal((ctor.body as Answer).error?.code, -32601);
  });

  it('refuses params given by name with -32602', async () => {
    const { body } = await node.post(
      '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":{"address":"0x00"}}',
    );
    assert.deepEqual((body as Answer).error, { code: -32602, message: 'non-array args' });
  });

  it('answers a batch in order, skipping notifications', async () => {
    const { body } = await node.post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
        5,
        { jsonrpc: '2.0', id: 3, method: 'net_version' },
      ]),
    );
    const answers = body as Answer[];
    assert.equal(answers.length, 4);
    assert.deepEqual(answers[0], { jsonrpc: '2.0', id: 1, result: '0x539' });
    assert.equal(answers[1]?.error?.code, -32601);
    assert.equal(answers[2]?.error?.code, -32600);
    assert.deepEqual(answers[3], { jsonrpc: '2.0', id: 3, result: '1337' });
  });

  it('answers nothing to a lone notification or a batch of notifications', async () => {
    const single = await node.post('{"jsonrpc":"2.0","method":"eth_chainId"}');
    assert.equal(single.status, 200);
    assert.equal(single.body, undefined);
    const batch = await node.post('[{"jsonrpc":"2.0","method":"eth_chainId"}]');
    assert.equal(batch.body, undefined);
  });

  it('refuses an empty batch and a batch over the length limit with -32600', async () => {
    const empty = await node.post('[]');
    assert.deepEqual(empty.body, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'empty batch' },
    });
    const long = await node.post(
      JSON.stringify(Array.from({ length: 6 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' }))),
    );
    assert.deepEqual(long.body, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'batch too large: 6 requests, limit 5' },
    });
  });

  it('answers a batch’s remaining requests -32003 once its answers exceed the response limit', async () => {
    const small = await startTestNode({ limits: { maxBatchResponseBytes: 100 } });
    const batch = Array.from({ length: 4 }, (_, id) => ({
      jsonrpc: '2.0',
      id,
      method: 'web3_clientVersion',
    }));
    const answers = (await small.post(JSON.stringify(batch))).body as Answer[];
    await small.close();
    assert.deepEqual(
      answers.map((a) => a.result ?? a.error?.code),
      ['khipu-chain/v0.1.0', 'khipu-chain/v0.1.0', -32003, -32003],
    );
    assert.deepEqual(
      answers.map((a) => a.id),
      [0, 1, 2, 3],
    );
  });

  it('refuses a body over the size limit with HTTP 413 and a JSON-RPC error, and stays up', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_call',
      params: [{ data: `0x${'00'.repeat(40_000)}` }],
    });
    const { status, body } = await node.post(big);
    assert.equal(status, 413);
    assert.deepEqual(body, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'request too large: limit 65536 bytes' },
    });
    assert.equal(await node.request('eth_chainId'), '0x539');
  });

  it('refuses a chunked body that grows over the limit', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(8192)));
        controller.close();
      },
    });
    const response = await fetch(node.url, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
    assert.equal(response.status, 413);
    await response.text();
    assert.equal(await node.request('eth_chainId'), '0x539');
  });

  it('serves /health and /metrics, answers 405 to other GETs, and CORS preflights', async () => {
    const health = await fetch(`${node.url}/health`);
    assert.deepEqual(await health.json(), { status: 'ok', head: '0' });
    await node.request('eth_chainId');
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(
      metrics,
      /khipu_chain_rpc_request_duration_seconds_count\{method="eth_chainId",transport="http"\} \d+/,
    );
    assert.match(metrics, /khipu_chain_rpc_errors_total\{method="other",code="-32601"\} \d+/);
    assert.match(metrics, /khipu_chain_rpc_refused_requests_total\{reason="parse"\} \d+/);
    const other = await fetch(`${node.url}/x`);
    assert.equal(other.status, 405);
    await other.text();
    const preflight = await fetch(node.url, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  });

  it('labels unknown methods as "other" so that metric labels stay bounded', async () => {
    for (let i = 0; i < 5; i++) await node.call(`random_${i}`);
    const metrics = await node.metrics.registry.metrics();
    assert.doesNotMatch(metrics, /random_/);
  });

  it('answers raw garbage and broken upgrades on the socket with 400, and stays up', async () => {
    const port = Number(new URL(node.url).port);
    const exchange = (bytes: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString();
        });
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
    assert.match(await exchange('\u0000\u0001\u0002 not http at all\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(
      await exchange(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: nope\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
      /^HTTP\/1\.1 400/,
    );
    assert.equal(await node.request('eth_chainId'), '0x539');
  });

  it('answers a fault inside the node with -32603, logs it, and never shows its message', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const faulty = await startTestNode({ logger });
    try {
      faulty.chain.getCode = () => {
        throw new Error('disk on fire at /secret/path');
      };
      const { error } = await faulty.call('eth_getCode', [`0x${'00'.repeat(20)}`, 'latest']);
      assert.deepEqual(error, { code: -32603, message: 'internal error' });
      assert.equal(lines.length, 1);
      const logged = JSON.parse(lines[0] ?? '{}') as {
        method: string;
        err: { message: string };
        component: string;
      };
      assert.equal(logged.method, 'eth_getCode');
      assert.equal(logged.component, 'rpc');
      assert.equal(logged.err.message, 'disk on fire at /secret/path');
      assert.equal(await faulty.request('eth_chainId'), '0x539');
    } finally {
      await faulty.close();
    }
  });

  it('stays up under a storm of garbage', async () => {
    const junk = [
      '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[1,2,3,4]}',
      '[[[[[[[[[[[[[[[[[[[[',
      '{"__proto__":{"x":1}}',
      `"${'\\u0000'.repeat(100)}"`,
      '[null,null,{}]',
      `{"jsonrpc":"2.0","id":1e400,"method":"eth_chainId"}`,
      '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":[{"a":{"b":[]}},true]}',
    ];
    for (let round = 0; round < 20; round++) for (const text of junk) await node.post(text);
    assert.equal(await node.request('eth_chainId'), '0x539');
  });
});

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('[rpc] JSON-RPC over WebSocket', () => {
  it('answers requests and batches on the same port', async () => {
    const ws = await openSocket(node.wsUrl);
    try {
      ws.send('{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}');
      assert.deepEqual(await nextMessage(ws), { jsonrpc: '2.0', id: 7, result: '0x539' });
      ws.send('[{"jsonrpc":"2.0","id":1,"method":"net_version"},{"jsonrpc":"2.0","id":2,"method":"x_y"}]');
      const batch = (await nextMessage(ws)) as Answer[];
      assert.equal(batch[0]?.result, '1337');
      assert.equal(batch[1]?.error?.code, -32601);
      ws.send('not json');
      assert.deepEqual(await nextMessage(ws), {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'parse error' },
      });
    } finally {
      ws.close();
    }
  });

  it('closes a socket that sends an oversized message (1009) and keeps serving others', async () => {
    const ws = await openSocket(node.wsUrl);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["${'a'.repeat(70_000)}"]}`);
    assert.equal(await closed, 1009);
    assert.equal(await node.request('eth_chainId'), '0x539');
  });

  it('disconnects a client that stops answering pings, and keeps one that answers', async () => {
    const quick = await startTestNode({ limits: { wsPingIntervalMs: 50 } });
    try {
      const healthy = await openSocket(quick.wsUrl);
      // A raw client: completes the upgrade, then never answers a ping.
      const port = Number(new URL(quick.url).port);
      const silent = connect(port, '127.0.0.1');
      const upgraded = new Promise<string>((resolve) =>
        silent.once('data', (chunk) => resolve(chunk.toString())),
      );
      silent.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      assert.match(await upgraded, /^HTTP\/1\.1 101/);
      const started = Date.now();
      await new Promise((resolve) => silent.once('close', resolve));
      assert.ok(Date.now() - started < 2000);
      assert.equal(healthy.readyState, WebSocket.OPEN);
      healthy.send('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
      assert.deepEqual(await nextMessage(healthy), { jsonrpc: '2.0', id: 1, result: '0x539' });
      healthy.close();
    } finally {
      await quick.close();
    }
  });

  it('refuses connections over the limit with 503', async () => {
    const open = await Promise.all([openSocket(node.wsUrl), openSocket(node.wsUrl), openSocket(node.wsUrl)]);
    await assert.rejects(openSocket(node.wsUrl), /503/);
    for (const ws of open) ws.close();
  });
});
