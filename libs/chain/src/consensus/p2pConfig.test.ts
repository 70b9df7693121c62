import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/config.js';
import { loadP2PSettings } from './p2pConfig.js';

const PEER = `0x${'Ab'.repeat(20)}`;

describe('[Consensus] peer settings from the environment', () => {
  it('is off without KHIPU_P2P_PORT', () => {
    assert.equal(loadP2PSettings({}), null);
  });

  it('reads port, peers, followers, node key and round timeouts', () => {
    const s = loadP2PSettings({
      KHIPU_P2P_PORT: '30303',
      KHIPU_P2P_PEERS: `${PEER}@127.0.0.1:30304, ${PEER}@node-b.local:30305`,
      KHIPU_P2P_FOLLOWERS: `0x${'cd'.repeat(20)}`,
      KHIPU_P2P_NODE_KEY: `0x${'11'.repeat(32)}`,
      KHIPU_CONSENSUS_ROUND_TIMEOUT_MS: '1500',
    });
    assert.ok(s);
    assert.deepEqual(s.listen, [{ host: '127.0.0.1', port: 30303, transport: 'tcp' }]);
    assert.deepEqual(s.peers, [
      { address: PEER.toLowerCase(), host: '127.0.0.1', port: 30304, transport: 'tcp' },
      { address: PEER.toLowerCase(), host: 'node-b.local', port: 30305, transport: 'tcp' },
    ]);
    assert.deepEqual(s.followers, [`0x${'cd'.repeat(20)}`]);
    assert.equal(s.nodeKey?.length, 32);
    assert.deepEqual(s.roundTimeouts, { baseMs: 1500 });
  });

  it('reads peer URLs with a scheme (ws:// peers dial over WebSocket) and a WebSocket listen port', () => {
    const s = loadP2PSettings({
      KHIPU_P2P_PORT: '30303',
      KHIPU_P2P_WS_PORT: '30313',
      KHIPU_P2P_PEERS: `ws://${PEER}@127.0.0.1:30314,tcp://${PEER}@[::1]:30304`,
    });
    assert.ok(s);
    assert.deepEqual(s.listen, [
      { host: '127.0.0.1', port: 30303, transport: 'tcp' },
      { host: '127.0.0.1', port: 30313, transport: 'ws' },
    ]);
    assert.deepEqual(s.peers, [
      { address: PEER.toLowerCase(), host: '127.0.0.1', port: 30314, transport: 'ws' },
      { address: PEER.toLowerCase(), host: '::1', port: 30304, transport: 'tcp' },
    ]);
  });

  it('refuses an unknown scheme and a bad port, naming the entry', () => {
    assert.throws(
      () => loadP2PSettings({ KHIPU_P2P_PORT: '1', KHIPU_P2P_PEERS: `http://${PEER}@h:1,${PEER}@h:99999` }),
      (e) =>
        e instanceof ConfigError &&
        e.problems.length === 2 &&
        e.problems[0]!.includes(`"http://${PEER}@h:1"`) &&
        e.problems[1]!.includes(`"${PEER}@h:99999"`),
    );
  });

  it('lists every bad variable at once, naming what was given', () => {
    assert.throws(
      () =>
        loadP2PSettings({
          KHIPU_P2P_PORT: '70000',
          KHIPU_P2P_PEERS: 'nobody@here',
          KHIPU_P2P_FOLLOWERS: '0x12',
          KHIPU_P2P_NODE_KEY: 'secret',
          KHIPU_CONSENSUS_ROUND_TIMEOUT_MS: 'soon',
        }),
      (e) =>
        e instanceof ConfigError &&
        e.problems.length === 5 &&
        e.problems.some((p) => p.includes('KHIPU_P2P_PORT') && p.includes('"70000"')) &&
        e.problems.some((p) => p.includes('"nobody@here"')),
    );
  });
});
