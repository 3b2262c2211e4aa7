// The zero-cost gateway of bench/subscriptions.ts (`--floor`): the lower bound this machine
// sets on a phase, whatever a gateway does. It speaks just enough graphql-transport-ws over
// the same TLS WebSocket for the bench's clients (acknowledge, take a subscription, answer
// pings) and holds no cluster, cache, access check or GraphQL execution. On each event the
// parent asks for, it serializes one change of a real pod (as the gateway sends it, without
// managedFields) once, frames it once per subscription id, and writes the same bytes to
// every socket: the least any server can do per member. What is left is the cost of TLS,
// the kernel's loopback delivery and the clients, which no gateway avoids on this machine.
// Its latency starts when the burst starts (the gateway's starts at the producer's PATCH,
// a few ms earlier), so it is a lower bound twice over.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { frameHead } from '../src/graphql/text-frames.ts';
import { nowMs, PHASE_ANNOTATION, SENT_ANNOTATION, SEQ_ANNOTATION } from './subscriptions-client.ts';

/** What the parent sends first. */
export interface FloorStart {
  readonly type: 'start';
  /** Directory holding server.crt and server.key (a gateway's data dir's tls/). */
  readonly tlsDir: string;
  /** A pod as the apiserver serves it: the template of every change sent. */
  readonly pod: Record<string, unknown>;
}

/** One event: a change of the template pod carrying these annotations, sent to everyone. */
export interface FloorEmit {
  readonly type: 'emit';
  readonly phase: 'warm' | 'measure';
  readonly seq: number;
  /** Only subscriptions whose filter names this namespace get it. */
  readonly namespace: string;
}

/** The answer to start: where to connect. */
export interface FloorReady {
  readonly type: 'ready';
  readonly port: number;
}

function start(message: FloorStart): void {
  const { metadata, ...rest } = message.pod as { metadata: Record<string, unknown> };
  const { managedFields: _dropped, ...kept } = metadata;
  /** Subscription id and followed namespace of each open socket that subscribed. */
  const subscribed = new Map<WebSocket, { id: string; namespace: string | undefined }>();
  const server = createServer({
    cert: readFileSync(join(message.tlsDir, 'server.crt')),
    key: readFileSync(join(message.tlsDir, 'server.key')),
  });
  const wss = new WebSocketServer({ server, path: '/graphql', perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const { id, type, payload } = JSON.parse(data.toString('utf8')) as {
        id?: string;
        type?: string;
        payload?: { variables?: { filter?: { namespace?: string } } };
      };
      if (type === 'connection_init') socket.send('{"type":"connection_ack"}');
      else if (type === 'subscribe' && id !== undefined)
        subscribed.set(socket, { id, namespace: payload?.variables?.filter?.namespace });
      else if (type === 'ping') socket.send('{"type":"pong"}');
    });
    socket.on('close', () => subscribed.delete(socket));
    socket.on('error', () => subscribed.delete(socket));
  });
  let version = 0;
  process.on('message', (m: FloorEmit) => {
    if (m.type !== 'emit') return;
    const sentAt = nowMs();
    const object = {
      ...rest,
      metadata: {
        ...kept,
        namespace: m.namespace,
        resourceVersion: String(++version),
        annotations: {
          ...(kept.annotations as Record<string, string> | undefined),
          [SEQ_ANNOTATION]: String(m.seq),
          [PHASE_ANNOTATION]: m.phase,
          [SENT_ANNOTATION]: sentAt.toFixed(3),
        },
      },
    };
    const change = JSON.stringify({ type: 'MODIFIED', object, message: null, cursor: String(version) });
    const frames = new Map<string, Buffer>();
    for (const [socket, { id, namespace }] of subscribed) {
      if (namespace !== m.namespace) continue;
      let frame = frames.get(id);
      if (!frame) {
        // The gateway's own framing: the header, then the whole message.
        frame = frameHead(
          Buffer.from(
            `{"id":${JSON.stringify(id)},"type":"next","payload":{"data":{"resourceChanges":${change}}}}`,
          ),
          0,
        );
        frames.set(id, frame);
      }
      // The socket under ws: one write of ready bytes, nothing framed or copied per member.
      (socket as WebSocket & { _socket: Socket })._socket.write(frame);
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const ready: FloorReady = {
      type: 'ready',
      port: typeof address === 'object' && address ? address.port : 0,
    };
    process.send?.(ready);
  });
}

process.once('message', (message: FloorStart) => {
  if (message.type === 'start') start(message);
});
