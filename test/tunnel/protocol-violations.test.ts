import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { type Gateway, startGateway } from '../../src/gateway.ts';
import { AGENT_IDENTITY } from '../../src/kube/identity.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { CloseCode, ResetCode } from '../../src/shared/tunnel/codes.ts';
import { encode, FrameType } from '../../src/shared/tunnel/frame.ts';
import {
  INITIAL_WINDOW_BYTES,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSIONS,
} from '../../src/shared/tunnel/limits.ts';
import { startAgentAgainst } from './agent-without-apiserver.ts';
import { connectRawAgent, type RawAgent } from './raw-agent.ts';

const quiet = createLogger('test', 'silent');
let gateway: Gateway;

before(async () => {
  gateway = await startGateway({
    dataDir: await mkdtemp(join(tmpdir(), 'fleetgate-violations-')),
    host: '127.0.0.1',
    port: 0,
    dangerouslyServeHttp: true,
    agentImage: 'fleetgate/agent:test',
    adminPassword: 'violations-admin-password',
    log: quiet,
  });
});

after(async () => {
  await gateway?.close();
});

function raw(type: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt32BE(streamId, 1);
  return Buffer.concat([header, payload]);
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const okResponse = (streamId: number) => encode.response(streamId, { status: 200, headers: [] });
const data = (streamId: number, bytes: number) => encode.data(streamId, Buffer.alloc(bytes, 1));

/** A violation an agent commits; `withStream` first has the gateway open stream 1. */
interface AgentViolation {
  readonly name: string;
  readonly withStream?: boolean;
  /** The frames to send, given the id of the stream the gateway opened (if any). */
  readonly frames: (streamId: number) => (Buffer | string)[];
  readonly code: number;
}

// docs/tunnel-protocol.md §3-§5 and §8, one row per violation, as committed by an agent.
const agentViolations: AgentViolation[] = [
  { name: 'a text message', frames: () => ['hello'], code: CloseCode.TEXT_FRAME },
  {
    name: 'a frame shorter than its header',
    frames: () => [Buffer.from([3, 0, 0])],
    code: CloseCode.MALFORMED_FRAME,
  },
  { name: 'an unknown frame type', frames: () => [raw(0x09, 1)], code: CloseCode.MALFORMED_FRAME },
  {
    name: 'an empty DATA',
    withStream: true,
    frames: (id) => [okResponse(id), raw(FrameType.DATA, id)],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'an END with a payload',
    withStream: true,
    frames: (id) => [raw(FrameType.END, id, Buffer.from('x'))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a WINDOW of 3 bytes',
    withStream: true,
    frames: (id) => [raw(FrameType.WINDOW, id, Buffer.alloc(3))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a WINDOW granting 0',
    withStream: true,
    frames: (id) => [raw(FrameType.WINDOW, id, u32(0))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESET without a code',
    withStream: true,
    frames: (id) => [raw(FrameType.RESET, id, Buffer.alloc(1))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESET message over 1024 bytes',
    withStream: true,
    frames: (id) => [
      raw(FrameType.RESET, id, Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(1025, 0x61)])),
    ],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESPONSE that is not JSON',
    withStream: true,
    frames: (id) => [raw(FrameType.RESPONSE, id, Buffer.from('{oops'))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESPONSE that is a JSON array',
    withStream: true,
    frames: (id) => [raw(FrameType.RESPONSE, id, json([200]))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESPONSE with status 700',
    withStream: true,
    frames: (id) => [raw(FrameType.RESPONSE, id, json({ status: 700, headers: [] }))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a RESPONSE with malformed headers',
    withStream: true,
    frames: (id) => [raw(FrameType.RESPONSE, id, json({ status: 200, headers: [['a']] }))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'a message over the frame size limit',
    frames: () => [Buffer.alloc(MAX_FRAME_BYTES + 1, FrameType.DATA)],
    code: CloseCode.MESSAGE_TOO_BIG,
  },
  {
    name: 'a HELLO sent by the agent',
    frames: () => [
      encode.hello({ sessionId: 's', clusterId: 'c', heartbeatIntervalMs: 1000, livenessTimeoutMs: 3000 }),
    ],
    code: CloseCode.STREAM_ID,
  },
  {
    name: 'an OPEN sent by the agent',
    frames: () => [encode.open(1, { method: 'GET', path: '/', headers: [] })],
    code: CloseCode.STREAM_ID,
  },
  {
    name: 'a CREDENTIAL sent by the agent',
    frames: () => [encode.credential(`c-aaaaaaaaaa.agent.${'A'.repeat(43)}`)],
    code: CloseCode.STREAM_ID,
  },
  { name: 'a stream frame on stream 0', frames: () => [encode.window(0, 1)], code: CloseCode.STREAM_ID },
  { name: 'a frame for a stream never opened', frames: () => [encode.end(7)], code: CloseCode.STREAM_ID },
  {
    name: 'DATA before the RESPONSE',
    withStream: true,
    frames: (id) => [data(id, 10)],
    code: CloseCode.STREAM_STATE,
  },
  {
    name: 'a second RESPONSE',
    withStream: true,
    frames: (id) => [okResponse(id), okResponse(id)],
    code: CloseCode.STREAM_STATE,
  },
  {
    name: 'DATA after END',
    withStream: true,
    frames: (id) => [okResponse(id), encode.end(id), data(id, 10)],
    code: CloseCode.STREAM_STATE,
  },
  {
    name: 'a second END',
    withStream: true,
    frames: (id) => [okResponse(id), encode.end(id), encode.end(id)],
    code: CloseCode.STREAM_STATE,
  },
  {
    name: 'DATA beyond the credit granted',
    withStream: true,
    frames: (id) => [
      okResponse(id),
      ...Array.from({ length: INITIAL_WINDOW_BYTES / MAX_PAYLOAD_BYTES + 1 }, () =>
        data(id, MAX_PAYLOAD_BYTES),
      ),
    ],
    code: CloseCode.FLOW_CONTROL,
  },
  {
    name: 'a WINDOW raising credit above 2^31-1',
    withStream: true,
    frames: (id) => [encode.window(id, 0x7fff_ffff)],
    code: CloseCode.FLOW_CONTROL,
  },
];

describe('protocol violations by an agent close only its tunnel, with the documented code', () => {
  for (const violation of agentViolations) {
    test(violation.name, { timeout: 10_000 }, async () => {
      const { cluster, token } = await gateway.registry.register(
        `v-${Math.random().toString(36).slice(2, 10)}`,
      );
      const bystander = await gateway.registry.register(`b-${Math.random().toString(36).slice(2, 10)}`);
      const agent: RawAgent = connectRawAgent(gateway.url, token);
      const other: RawAgent = connectRawAgent(gateway.url, bystander.token);
      await Promise.all([agent.hello, other.hello]);
      let streamId = 1;
      if (violation.withStream) {
        // The request body stays open, so the gateway's side of stream 1 stays open too.
        const pending = gateway.kube.send(
          { clusterId: cluster.clusterId, as: AGENT_IDENTITY },
          { method: 'POST', path: '/x', body: new PassThrough() },
        );
        pending.catch(() => {});
        const open = await agent.waitForFrame((f) => f.type === 'OPEN' && f.head.path === '/x');
        streamId = open.streamId;
      }
      for (const frame of violation.frames(streamId)) agent.send(frame);
      const closed = await agent.closed;
      assert.equal(closed.code, violation.code, `closed with ${closed.code} (${closed.reason})`);
      // The gateway notices its side of the close too (after the close handshake).
      for (let i = 0; i < 100 && gateway.registry.get(cluster.clusterId)?.state !== 'Disconnected'; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      // The other cluster's tunnel is untouched.
      assert.equal(gateway.registry.get(bystander.cluster.clusterId)?.state, 'Active');
      assert.equal(gateway.connections.sessionCount(bystander.cluster.clusterId), 1);
      assert.equal(gateway.registry.get(cluster.clusterId)?.state, 'Disconnected');
      other.socket.close();
      await other.closed;
    });
  }
});

/** A stand-in gateway that sends a real agent whatever frames a test wants. */
async function agentFacing(frames: Buffer[], apiserverToken?: string) {
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: () => PROTOCOL_VERSIONS[0],
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const received: Buffer[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    server.once('connection', (socket) => {
      socket.on('message', (m: Buffer) => received.push(m));
      socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
      socket.send(
        encode.hello({
          sessionId: 's',
          clusterId: 'c-aaaaaaaaaa',
          heartbeatIntervalMs: 1000,
          livenessTimeoutMs: 5000,
        }),
      );
      for (const frame of frames) socket.send(frame);
    });
  });
  const { port } = server.address() as { port: number };
  const agent = startAgentAgainst(port, { baseMs: 60_000 }, apiserverToken);
  return {
    closed,
    received,
    async stop() {
      agent.stop();
      await new Promise((r) => server.close(r));
    },
  };
}

const agentSideViolations: { name: string; frames: Buffer[]; code: number }[] = [
  {
    name: 'an OPEN whose id does not increase',
    frames: [
      raw(FrameType.OPEN, 5, json({ method: 'GET', path: '/\\x', headers: [] })),
      raw(FrameType.OPEN, 3, json({ method: 'GET', path: '/', headers: [] })),
    ],
    code: CloseCode.STREAM_ID,
  },
  {
    name: 'an OPEN on stream 0',
    frames: [encode.open(0, { method: 'GET', path: '/', headers: [] })],
    code: CloseCode.STREAM_ID,
  },
  { name: 'a RESPONSE sent by the gateway', frames: [okResponse(1)], code: CloseCode.STREAM_ID },
  {
    name: 'a second HELLO',
    frames: [
      encode.hello({ sessionId: 's', clusterId: 'c', heartbeatIntervalMs: 1000, livenessTimeoutMs: 5000 }),
    ],
    code: CloseCode.STREAM_STATE,
  },
  {
    name: 'a CREDENTIAL on a stream other than 0',
    frames: [raw(FrameType.CREDENTIAL, 1, json({ agentCredential: `c-aaaaaaaaaa.agent.${'A'.repeat(43)}` }))],
    code: CloseCode.STREAM_ID,
  },
  {
    name: 'a CREDENTIAL that could not go into a header',
    frames: [raw(FrameType.CREDENTIAL, 0, json({ agentCredential: 'a\nb' }))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'an OPEN whose head is not JSON',
    frames: [raw(FrameType.OPEN, 1, Buffer.from('GET / HTTP/1.1'))],
    code: CloseCode.MALFORMED_FRAME,
  },
  {
    name: 'an OPEN whose headers are not pairs',
    frames: [raw(FrameType.OPEN, 1, json({ method: 'GET', path: '/', headers: 'x' }))],
    code: CloseCode.MALFORMED_FRAME,
  },
];

describe('protocol violations by a gateway are refused by the agent the same way', () => {
  for (const violation of agentSideViolations) {
    test(violation.name, { timeout: 10_000 }, async () => {
      const fake = await agentFacing(violation.frames);
      const closed = await fake.closed;
      await fake.stop();
      assert.equal(closed.code, violation.code, `closed with ${closed.code} (${closed.reason})`);
    });
  }

  test('an OPEN with an unacceptable head resets only that stream', async () => {
    const fake = await agentFacing([encode.open(1, { method: 'BREW', path: '/', headers: [] })]);
    const deadline = Date.now() + 5_000;
    while (!fake.received.some((m) => m[0] === FrameType.RESET) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const reset = fake.received.find((m) => m[0] === FrameType.RESET);
    assert.ok(reset, 'the agent answers with RESET');
    assert.equal(reset.readUInt16BE(5), ResetCode.BAD_REQUEST_HEAD);
    assert.match(reset.subarray(7).toString(), /method "BREW" is not allowed/);
    await fake.stop();
    assert.equal(
      (await fake.closed).code,
      CloseCode.GOING_AWAY,
      'the tunnel stayed open until the agent stopped',
    );
  });

  test('row 4: a request the agent cannot build resets only its stream with INTERNAL; the tunnel stays open', async () => {
    // The agent's own token holds a control character (a broken token file or exec plugin):
    // node:https throws while building each request, inside the agent's frame handling.
    const open = (streamId: number) =>
      encode.open(streamId, { method: 'GET', path: '/version', headers: [] });
    const fake = await agentFacing([open(1), open(2)], 'token-with-\u0001-inside');
    const resets = () => fake.received.filter((m) => m[0] === FrameType.RESET);
    const deadline = Date.now() + 5_000;
    while (resets().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      resets().map((m) => [m.readUInt32BE(1), m.readUInt16BE(5)]),
      [
        [1, ResetCode.INTERNAL],
        [2, ResetCode.INTERNAL],
      ],
    );
    assert.match(resets()[0]?.subarray(7).toString() ?? '', /authorization/i);
    await fake.stop();
    assert.equal(
      (await fake.closed).code,
      CloseCode.GOING_AWAY,
      'the tunnel stayed open until the agent stopped',
    );
  });
});
