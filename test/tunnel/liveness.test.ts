import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
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
import { holdEventLoop } from '../shared/tunnel/hold-event-loop.ts';
import { startAgentAgainst } from './agent-without-apiserver.ts';
import { connectRawAgent } from './raw-agent.ts';

const quiet = createLogger('test', 'silent');
let gateway: Gateway;
const peers: ChildProcess[] = [];

/**
 * Starts one of this folder's steady-*-process.ts scripts and waits for a line of its output
 * that `ready` matches; the process is killed after the tests.
 */
async function startSteady(
  script: string,
  args: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<{ peer: ChildProcess; match: RegExpMatchArray }> {
  const path = new URL(script, import.meta.url).pathname;
  const peer = spawn(process.execPath, [path, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  peers.push(peer);
  let out = '';
  peer.stdout?.setEncoding('utf8');
  peer.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const startedAt = Date.now();
  for (;;) {
    const match = out.match(ready);
    if (match) return { peer, match };
    assert.ok(Date.now() - startedAt < 15_000, `${script} did not get ready: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An agent's end in another process that pings every 100 ms and never gives up first. */
async function startSteadyPeer(clusterName: string): Promise<{ clusterId: string; peer: ChildProcess }> {
  const { cluster, token } = await gateway.registry.register(clusterName);
  const { peer } = await startSteady(
    './steady-peer-process.ts',
    [gateway.url, token],
    new RegExp(`hello ${cluster.clusterId}`),
    { STEADY_PEER_CA_PEM: gateway.caPem ?? '' },
  );
  assert.equal(gateway.registry.get(cluster.clusterId)?.state, 'Active');
  return { clusterId: cluster.clusterId, peer };
}

/** A request through the cluster's tunnel, answered by the peer: `<status> <body>`. */
async function askThrough(clusterId: string): Promise<string> {
  const session = gateway.connections.sessionFor(clusterId);
  assert.ok(session, 'no tunnel for the cluster');
  const stream = await session.openStream({ method: 'GET', path: '/version', headers: [] });
  stream.end();
  const head = await stream.response;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return `${head.status} ${Buffer.concat(chunks).toString('utf8')}`;
}

async function waitUntilDisconnected(clusterId: string, withinMs: number): Promise<number> {
  const startedAt = performance.now();
  while (gateway.registry.get(clusterId)?.state === 'Active' && performance.now() - startedAt < withinMs) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - startedAt;
}

before(async () => {
  gateway = await startGateway({
    dataDir: await mkdtemp(join(tmpdir(), 'fleetgate-liveness-')),
    host: '127.0.0.1',
    port: 0,
    agentImage: 'fleetgate/agent:test',
    adminPassword: 'liveness-admin-password',
    tunnelTiming: { heartbeatIntervalMs: 200, livenessTimeoutMs: 1000 },
    log: quiet,
  });
});

after(async () => {
  for (const peer of peers) peer.kill('SIGKILL');
  await gateway?.close();
});

/**
 * Records a connector's sessions and the reasons of its disconnections (both go on filling
 * after this answers), once it has had `count` sessions or 10 s have passed.
 */
async function sessionsOf(
  connector: ReturnType<typeof startAgentAgainst>['connector'],
  count: number,
): Promise<{ sessions: string[]; disconnects: string[] }> {
  const sessions: string[] = [];
  const disconnects: string[] = [];
  connector.on('connected', ({ sessionId }) => sessions.push(sessionId));
  connector.on('disconnected', ({ reason }) => disconnects.push(reason));
  const startedAt = Date.now();
  while (sessions.length < count && Date.now() - startedAt < 10_000)
    await new Promise((r) => setTimeout(r, 20));
  return { sessions, disconnects };
}

describe('tunnel liveness', () => {
  test('an agent that goes silent without closing is dropped after the liveness timeout', async () => {
    const { cluster, token } = await gateway.registry.register('silent');
    const agent = connectRawAgent(gateway.url, token, { caPem: gateway.caPem });
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

  test('a gateway whose own event loop was held past the liveness timeout keeps a tunnel whose agent kept pinging', async () => {
    const { clusterId } = await startSteadyPeer('held-loop');
    const session = gateway.connections.sessionFor(clusterId);
    assert.equal(await askThrough(clusterId), '200 alive');
    // 2.5 times the liveness timeout, while the peer's pings (every 100 ms) pile up unread.
    await holdEventLoop(2500);
    await new Promise((r) => setTimeout(r, 500));
    const cluster = gateway.registry.get(clusterId);
    assert.equal(cluster?.state, 'Active', cluster?.stateReason ?? '');
    assert.equal(session?.closed, undefined);
    assert.equal(gateway.connections.sessionFor(clusterId), session);
    assert.equal(await askThrough(clusterId), '200 alive');
  });

  test('an agent process that is stopped is dropped after the liveness timeout, not before', async () => {
    const { clusterId, peer } = await startSteadyPeer('stopped');
    peer.kill('SIGSTOP');
    const tookMs = await waitUntilDisconnected(clusterId, 10_000);
    peer.kill('SIGKILL');
    const lost = gateway.registry.get(clusterId);
    assert.equal(lost?.state, 'Disconnected');
    assert.match(lost?.stateReason ?? '', /no sign of life for 1000 ms/);
    // The documented bound starts at the timeout less one heartbeat (200 ms).
    assert.ok(tookMs >= 800, `dropped after ${tookMs.toFixed(0)} ms`);
  });

  test('an agent that stopped while the gateway was held is dropped as soon as the gateway runs again', async () => {
    const { clusterId, peer } = await startSteadyPeer('stopped-while-held');
    peer.kill('SIGSTOP');
    // Its last pings are read before the hold: bytes read after a hold count as heard then.
    await new Promise((r) => setTimeout(r, 300));
    const session = gateway.connections.sessionFor(clusterId);
    await holdEventLoop(2500);
    const tookMs = await waitUntilDisconnected(clusterId, 10_000);
    peer.kill('SIGKILL');
    const lost = gateway.registry.get(clusterId);
    assert.equal(lost?.state, 'Disconnected');
    assert.match(lost?.stateReason ?? '', /no sign of life for 1000 ms/);
    // The peer was silent for the whole hold: no further wait for a liveness timeout.
    assert.ok(tookMs < 1000, `dropped ${tookMs.toFixed(0)} ms after the hold`);
    // The close says this side was held too, for the log line an operator reads.
    assert.ok((session?.closed?.ownLoopStallMs ?? 0) >= 2000, JSON.stringify(session?.closed));
  });

  test('an agent whose own event loop was held past the liveness timeout keeps its tunnel to a gateway that kept pinging', async () => {
    const { match } = await startSteady('./steady-gateway-process.ts', [], /port (\d+)/);
    const agent = startAgentAgainst(Number(match[1]), { baseMs: 50, maxMs: 200 });
    const { connector } = agent;
    const { sessions, disconnects } = await sessionsOf(connector, 1);
    assert.deepEqual(sessions, ['s1']);
    // The agent adopted a 1 s liveness timeout from HELLO; it is held 2.5 s.
    await holdEventLoop(2500);
    await new Promise((r) => setTimeout(r, 500));
    const session = connector.session;
    const seen = { sessions: [...sessions], disconnects: [...disconnects], closed: session?.closed };
    agent.stop();
    assert.deepEqual(seen, { sessions: ['s1'], disconnects: [], closed: undefined });
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
    const { sessions, disconnects } = await sessionsOf(agent.connector, 2);
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
