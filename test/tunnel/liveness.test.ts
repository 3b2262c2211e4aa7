import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { type Gateway, startGateway } from '../../src/gateway.ts';
import { backoffDelay } from '../../src/shared/backoff.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { encode } from '../../src/shared/tunnel/frame.ts';
import { PROTOCOL_VERSIONS } from '../../src/shared/tunnel/limits.ts';
import { startAgentAgainst } from './agent-without-apiserver.ts';
import { connectRawAgent } from './raw-agent.ts';

const quiet = createLogger('test', 'silent');
let gateway: Gateway;

before(async () => {
  gateway = await startGateway({
    dataDir: await mkdtemp(join(tmpdir(), 'fleetgate-liveness-')),
    host: '127.0.0.1',
    port: 0,
    dangerouslyServeHttp: true,
    agentImage: 'fleetgate/agent:test',
    adminPassword: 'liveness-admin-password',
    tunnelTiming: { heartbeatIntervalMs: 200, livenessTimeoutMs: 1000 },
    log: quiet,
  });
});

after(async () => {
  await gateway?.close();
});

describe('tunnel liveness', () => {
  test('an agent that goes silent without closing is dropped after the liveness timeout', async () => {
    const { cluster, token } = await gateway.registry.register('silent');
    const agent = connectRawAgent(gateway.url, token);
    await agent.hello;
    assert.equal(gateway.registry.get(cluster.clusterId)?.state, 'Active');
    // A half-open connection: the agent's machine stops reading (and so answering pings).
    const tcp = (agent.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const startedAt = Date.now();
    while (gateway.registry.get(cluster.clusterId)?.state === 'Active' && Date.now() - startedAt < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const lost = gateway.registry.get(cluster.clusterId);
    assert.equal(lost?.state, 'Disconnected');
    assert.match(lost?.stateReason ?? '', /no sign of life for 1000 ms/);
    tcp.destroy();
  });

  test('an agent whose gateway goes silent reconnects by itself', async () => {
    // A stand-in gateway that greets, then never answers again on its first connection.
    const server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: () => PROTOCOL_VERSIONS[0],
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    let connections = 0;
    server.on('connection', (socket) => {
      connections++;
      socket.send(
        encode.hello({
          sessionId: `s${connections}`,
          clusterId: 'c-aaaaaaaaaa',
          heartbeatIntervalMs: 200,
          livenessTimeoutMs: 1000,
        }),
      );
      if (connections === 1) (socket as unknown as { _socket: Socket })._socket.pause();
    });
    const { port } = server.address() as { port: number };
    const agent = startAgentAgainst(port, { baseMs: 50, maxMs: 200 });
    const { connector } = agent;
    const sessions: string[] = [];
    const disconnects: string[] = [];
    connector.on('connected', ({ sessionId }) => sessions.push(sessionId));
    connector.on('disconnected', ({ reason }) => disconnects.push(reason));
    const startedAt = Date.now();
    while (sessions.length < 2 && Date.now() - startedAt < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    agent.stop();
    for (const client of server.clients) client.terminate();
    await new Promise((r) => server.close(r));
    assert.deepEqual(sessions, ['s1', 's2']);
    assert.match(disconnects[0] ?? '', /no sign of life/);
  });

  test('reconnect delays grow exponentially up to the cap, with full jitter', () => {
    const top = () => 0.999999;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, 1000, 30_000, top)),
      [999, 1999, 3999, 7999, 15999, 29999, 29999, 29999],
    );
    assert.equal(
      backoffDelay(3, 1000, 30_000, () => 0),
      0,
    );
  });
});
