// A hostile agent answers with a Content-Length that its body does not keep: the bytes past
// it must not reach the client's connection, where they would be read as the answer to the
// client's next request (kubectl sends the requests of every cluster on one connection).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.ts';
import { encode } from '../../src/shared/tunnel/frame.ts';
import { answer, type RawAgentGateway, type RawCluster, startRawAgentGateway } from './raw-agent-gateway.ts';

let fixture: RawAgentGateway;
let gateway: Gateway;
let hostile: RawCluster;
let honest: RawCluster;
let token: string;

before(async () => {
  fixture = await startRawAgentGateway('framing');
  ({ gateway, hostile, honest, token } = fixture);
});

after(async () => {
  await fixture?.close();
});

/** Sends two pipelined requests on one connection; resolves with all bytes received until it closes or goes quiet. */
function pipelined(first: string, second: string): Promise<{ text: string; closed: boolean }> {
  const { port } = new URL(gateway.url);
  const request = (path: string) =>
    `GET ${path} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\n\r\n`;
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request(first) + request(second)));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, 3_000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const FORGED =
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n{"forged":"yes"}\n';

describe("the passthrough holds an agent to its answer's Content-Length", () => {
  test('bytes past the Content-Length never reach the client: no forged answer to its next request', async () => {
    const first = `/k8s/clusters/${hostile.clusterId}/api/one`;
    const second = `/k8s/clusters/${honest.clusterId}/api/two`;
    void answer(hostile.agent, '/api/one', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '2']] }),
      encode.data(id, Buffer.from(`ok${FORGED}`)),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/two', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-2')),
      encode.end(id),
    ]);
    const { text, closed } = await pipelined(first, second);
    assert.ok(!text.includes('forged'), `the forged answer reached the client:\n${text}`);
    assert.ok(closed, 'the connection the agent tried to desynchronise is closed');
  });

  test('a body that ends short of its Content-Length breaks the connection rather than eat the next answer', async () => {
    const first = `/k8s/clusters/${hostile.clusterId}/api/three`;
    const second = `/k8s/clusters/${honest.clusterId}/api/four`;
    void answer(hostile.agent, '/api/three', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '40']] }),
      encode.data(id, Buffer.from('short')),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/four', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-4')),
      encode.end(id),
    ]);
    const { text, closed } = await pipelined(first, second);
    assert.ok(closed, 'the connection is closed');
    assert.ok(!text.includes('real-4'), `the next answer was sent into the short body:\n${text}`);
  });

  test('two Content-Lengths that disagree are dropped: the gateway frames the body itself', async () => {
    const first = `/k8s/clusters/${honest.clusterId}/api/five`;
    const second = `/k8s/clusters/${honest.clusterId}/api/six`;
    void answer(honest.agent, '/api/five', (id) => [
      encode.response(id, {
        status: 200,
        headers: [
          ['content-length', '2'],
          ['Content-Length', '9'],
        ],
      }),
      encode.data(id, Buffer.from('chunked-5')),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/six', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-6')),
      encode.end(id),
    ]);
    const { text } = await pipelined(first, second);
    const [head] = text.split('\r\n\r\n');
    assert.doesNotMatch(head as string, /content-length/i);
    assert.match(head as string, /transfer-encoding: chunked/i);
    assert.match(text, /chunked-5/);
    assert.match(text, /real-6/);
  });

  test('an informational answer (101) to a plain request is a 502, and the connection stays in step', async () => {
    const first = `/k8s/clusters/${hostile.clusterId}/api/nine`;
    const second = `/k8s/clusters/${honest.clusterId}/api/ten`;
    void answer(hostile.agent, '/api/nine', (id) => [
      encode.response(id, { status: 101, headers: [['upgrade', 'websocket']] }),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/ten', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '7']] }),
      encode.data(id, Buffer.from('real-10')),
      encode.end(id),
    ]);
    const { text } = await pipelined(first, second);
    assert.doesNotMatch(text, /HTTP\/1\.1 101/);
    assert.match(text, /^HTTP\/1\.1 502 /);
    assert.match(text, /HTTP\/1\.1 200 OK[\s\S]*real-10$/);
  });

  test('an honest Content-Length passes through, and the connection serves the next request', async () => {
    const first = `/k8s/clusters/${honest.clusterId}/api/seven`;
    const second = `/k8s/clusters/${honest.clusterId}/api/eight`;
    void answer(honest.agent, '/api/seven', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '7']] }),
      encode.data(id, Buffer.from('real-')),
      encode.data(id, Buffer.from('7!')),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/eight', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-8')),
      encode.end(id),
    ]);
    const { text } = await pipelined(first, second);
    assert.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2, text);
    assert.match(text, /content-length: 7\r\n[\s\S]*\r\n\r\nreal-7!HTTP\/1\.1 200 OK/i);
    assert.match(text, /real-8$/);
  });
});
