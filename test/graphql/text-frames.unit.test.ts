import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import {
  frameHead,
  frameHeaderLength,
  MAX_WHOLE_FRAMES,
  WholeFrames,
  writeCorked,
} from '../../src/graphql/text-frames.ts';

let server: WebSocketServer;
let url: string;
const connections: { socket: WebSocket; transport: Duplex }[] = [];

before(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket, request) => connections.push({ socket, transport: request.socket }));
  await new Promise((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

/** A real ws client and the server side of its connection; `messages` collects what it receives. */
async function connect(): Promise<{
  client: WebSocket;
  socket: WebSocket;
  transport: Duplex;
  messages: string[];
}> {
  const before = connections.length;
  const client = new WebSocket(url);
  const messages: string[] = [];
  client.on('message', (data: Buffer, isBinary) => {
    assert.equal(isBinary, false, 'a text frame');
    messages.push(data.toString('utf8'));
  });
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  while (connections.length === before) await new Promise((r) => setTimeout(r, 5));
  const { socket, transport } = connections.at(-1) as (typeof connections)[number];
  return { client, socket, transport, messages };
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('text frames written beside shared bytes', () => {
  test('the header takes 2, 4 or 10 bytes as RFC 6455 sizes the payload length', () => {
    assert.equal(frameHeaderLength(0), 2);
    assert.equal(frameHeaderLength(125), 2);
    assert.equal(frameHeaderLength(126), 4);
    assert.equal(frameHeaderLength(65535), 4);
    assert.equal(frameHeaderLength(65536), 10);
    const head = frameHead(Buffer.from('ab'), 70_000);
    assert.deepEqual([...head.subarray(0, 2)], [0x81, 127]);
    assert.equal(head.readUInt32BE(2) * 2 ** 32 + head.readUInt32BE(6), 70_002);
    assert.equal(head.subarray(10).toString(), 'ab');
  });

  test('a real ws client reads a member prefix and a shared tail as one message, at every header size', async () => {
    const { client, transport, messages } = await connect();
    const prefix = Buffer.from('{"id":"op-1","payload":');
    // Payload lengths (prefix + tail) of 26, 125, 126, 127, 4k, 65,535, 65,536 and 200k bytes.
    const fill = [0, 96, 97, 98, 4000, 65_535 - prefix.length - 3, 65_536 - prefix.length - 3, 200_000];
    const expected: string[] = [];
    for (const [i, size] of fill.entries()) {
      const tail = Buffer.from(`"${String(i % 10).repeat(size)}"}`);
      expected.push(prefix.toString() + tail.toString());
      await new Promise<void>((resolve) =>
        writeCorked(transport, [frameHead(prefix, tail.length), tail], resolve),
      );
    }
    await until(() => messages.length === fill.length);
    assert.deepEqual(
      messages.map((m) => m.length),
      expected.map((m) => m.length),
    );
    assert.deepEqual(messages, expected);
    client.close();
  });

  test('several frames in one corked write arrive as separate messages in order, between the socket’s own sends', async () => {
    const { client, socket, transport, messages } = await connect();
    const shared = Buffer.from('{"data":{"n":1}}}');
    socket.send('before');
    const chunks: Buffer[] = [];
    for (const id of ['a', 'b', 'c']) {
      const prefix = Buffer.from(`{"id":"${id}","payload":`);
      chunks.push(frameHead(prefix, shared.length), shared);
    }
    let written = 0;
    writeCorked(transport, chunks, () => written++);
    socket.send('after');
    await until(() => messages.length === 5);
    assert.deepEqual(messages, [
      'before',
      '{"id":"a","payload":{"data":{"n":1}}}',
      '{"id":"b","payload":{"data":{"n":1}}}',
      '{"id":"c","payload":{"data":{"n":1}}}',
      'after',
    ]);
    assert.equal(written, 1, 'one callback for the whole write');
    client.close();
  });
});

describe('whole frames shared by operation id', () => {
  test('the same id gets the same buffer, which is its head, prefix and the tail, read as one message', async () => {
    const tail = Buffer.from('{"data":{"n":1}}}');
    const frames = new WholeFrames(tail);
    const prefix = Buffer.from('{"id":"1","payload":');
    const whole = frames.frame('1', prefix);
    assert.ok(whole);
    assert.equal(frames.frame('1', Buffer.from(prefix)), whole, 'made once per id');
    assert.deepEqual(whole, Buffer.concat([frameHead(prefix, tail.length), tail]));
    const { client, transport, messages } = await connect();
    await new Promise<void>((resolve) => writeCorked(transport, [whole], resolve));
    await until(() => messages.length === 1);
    assert.deepEqual(messages, ['{"id":"1","payload":{"data":{"n":1}}}']);
    client.close();
  });

  test(`only the first ${MAX_WHOLE_FRAMES} ids of a change get a whole frame; those keep theirs`, () => {
    const frames = new WholeFrames(Buffer.from('{}}'));
    const prefixOf = (id: string) => Buffer.from(`{"id":"${id}","payload":`);
    const made = Array.from({ length: MAX_WHOLE_FRAMES }, (_, i) =>
      frames.frame(`op-${i}`, prefixOf(`op-${i}`)),
    );
    assert.ok(made.every((frame) => frame !== undefined));
    assert.equal(frames.frame('one-more', prefixOf('one-more')), undefined);
    assert.equal(frames.frame('op-0', prefixOf('op-0')), made[0]);
  });

  test('once closed (every member has the change) no id gets a whole frame, not even one that had one', () => {
    const frames = new WholeFrames(Buffer.from('{}}'));
    const prefix = Buffer.from('{"id":"1","payload":');
    assert.ok(frames.frame('1', prefix));
    frames.close();
    assert.equal(frames.frame('1', prefix), undefined);
    assert.equal(frames.frame('2', Buffer.from('{"id":"2","payload":')), undefined);
  });
});
