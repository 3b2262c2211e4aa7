import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { ClusterClient } from '../../src/clusters/cluster-client.ts';
import type { ClusterConnections } from '../../src/clusters/cluster-connections.ts';
import { PEER_CLUSTER_HEADER, PEER_MODE_HEADER } from '../../src/clusters/peer-tunnels.ts';
import { PEER_LINK_MAX_STREAMS, PEER_PATH, PeerEndpoint } from '../../src/replicas/peer-endpoint.ts';
import { PeerLinks } from '../../src/replicas/peer-links.ts';
import type { ReplicaMembership } from '../../src/replicas/replica-membership.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { ResetCode, StreamResetError } from '../../src/shared/tunnel/codes.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSIONS } from '../../src/shared/tunnel/limits.ts';
import { TunnelSession } from '../../src/shared/tunnel/session.ts';
import type { TunnelStream } from '../../src/shared/tunnel/stream.ts';

// One replica's link to another at its limit of concurrent streams (docs/replicas.md §5),
// in one process: the real PeerEndpoint behind a real HTTP server and the real PeerLinks
// dialling it over a WebSocket. What the endpoint does with a stream is the only stand-in:
// the cluster's tunnel is replaced by answers whose bodies stay open until the test ends
// them, as watches do, so that every stream stays open.
const SECRET = 'peer-secret-for-the-limit-test';
const CLUSTER = 'c-limit';
const log = createLogger('peer-link-limit', 'warn');
let server: Server;
let endpoint: PeerEndpoint;
let links: PeerLinks;
let url: string;
/** The body of each stream the endpoint answered, in the order they came. */
const bodies: PassThrough[] = [];

before(async () => {
  const heldTunnel = {
    async send() {
      const body = new PassThrough();
      bodies.push(body);
      return { status: 200, headers: [['content-type', 'application/json']], body };
    },
  } as unknown as ClusterClient;
  endpoint = new PeerEndpoint({
    secret: SECRET,
    clusters: heldTunnel,
    connections: { sessionFor: () => ({}) } as unknown as ClusterConnections,
    log,
  });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const peer = { replicaId: 'replica-b', peerAddress: url };
  links = new PeerLinks({
    membership: { replicaId: 'replica-a', live: () => [peer] } as unknown as ReplicaMembership,
    holderOf: () => 'replica-b',
    secret: SECRET,
    caPem: undefined,
    log,
  });
});

after(async () => {
  links.close();
  endpoint.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const head = (n: number) => ({
  method: 'GET',
  path: `/api/v1/namespaces/default/configmaps?watch=true&n=${n}`,
  headers: [
    [PEER_CLUSTER_HEADER, CLUSTER],
    [PEER_MODE_HEADER, 'short'],
  ] as [string, string][],
});

/** Reads from a stream until `text` arrived. */
const readUntil = (stream: TunnelStream, text: string) =>
  new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
  });

/** Opens `count` streams on `session` and waits for each one's answer. */
async function openAll(session: TunnelSession, count: number, from = 0): Promise<TunnelStream[]> {
  const streams = await Promise.all(
    Array.from({ length: count }, (_, i) => session.openStream(head(from + i), { slotWaitMs: 0 })),
  );
  for (const stream of streams) stream.end();
  await Promise.all(streams.map((s) => s.response));
  return streams;
}

describe('a link between replicas at its limit of concurrent streams', () => {
  test(`with ${PEER_LINK_MAX_STREAMS} streams open, one more is refused TOO_MANY_STREAMS, and the link and the open streams carry on`, async () => {
    const session = await links.sessionFor(CLUSTER);
    assert.ok(session, 'the link opened');
    const streams = await openAll(session, PEER_LINK_MAX_STREAMS);
    assert.equal(session.streamCount, PEER_LINK_MAX_STREAMS);
    assert.equal(links.stats().streams, PEER_LINK_MAX_STREAMS);
    assert.equal(endpoint.stats().streams, PEER_LINK_MAX_STREAMS);

    await assert.rejects(
      session.openStream(head(PEER_LINK_MAX_STREAMS), { slotWaitMs: 200 }),
      (error: unknown) => error instanceof StreamResetError && error.resetCode === ResetCode.TOO_MANY_STREAMS,
    );
    // Nothing else was harmed: the link is open, every stream still carries its answer.
    assert.equal(session.closed, undefined);
    assert.equal(session.streamCount, PEER_LINK_MAX_STREAMS);
    const first = streams[0] as TunnelStream;
    const last = streams.at(-1) as TunnelStream;
    const arrived = Promise.all([readUntil(first, 'first-event'), readUntil(last, 'last-event')]);
    bodies[0]?.write('{"type":"ADDED","first-event":1}\n');
    bodies.at(-1)?.write('{"type":"ADDED","last-event":1}\n');
    await arrived;

    // A stream that ends frees its slot for the next.
    bodies[0]?.end();
    await new Promise((resolve) => first.once('close', resolve).resume());
    const next = await session.openStream(head(PEER_LINK_MAX_STREAMS + 1), { slotWaitMs: 1_000 });
    next.end();
    assert.equal((await next.response).status, 200);
    assert.equal(await links.sessionFor(CLUSTER), session, 'the same link, not a new one');
  });

  test(`a peer that opens more than ${PEER_LINK_MAX_STREAMS} streams has the extra one reset TOO_MANY_STREAMS by the endpoint, on a link that stays open`, async () => {
    // A dialler that does not keep to the limit itself: the endpoint enforces it too.
    const socket = new WebSocket(`${url.replace('http', 'ws')}${PEER_PATH}`, [...PROTOCOL_VERSIONS], {
      headers: { authorization: `Bearer ${SECRET}` },
      maxPayload: MAX_FRAME_BYTES,
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const greedy = new TunnelSession(socket, {
      role: 'gateway',
      label: 'greedy peer',
      maxStreams: PEER_LINK_MAX_STREAMS + 1,
    });
    try {
      await openAll(greedy, PEER_LINK_MAX_STREAMS);
      const extra = await greedy.openStream(head(-1), { slotWaitMs: 0 });
      extra.end();
      await assert.rejects(
        extra.response,
        (error: unknown) =>
          error instanceof StreamResetError && error.resetCode === ResetCode.TOO_MANY_STREAMS,
      );
      assert.equal(greedy.closed, undefined, 'the link stays open');
      assert.equal(greedy.streamCount, PEER_LINK_MAX_STREAMS);
    } finally {
      greedy.close(1000, 'done');
    }
  });
});
