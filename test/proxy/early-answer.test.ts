// The cluster answers a request (a refusal, say) before its body has all arrived: the
// gateway no longer reads the rest, so the client's connection must not be offered for its
// next request, where that request would wait forever behind the unread body.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.ts';
import { encode } from '../../src/shared/tunnel/frame.ts';
import { answer, type RawAgentGateway, type RawCluster, startRawAgentGateway } from './raw-agent-gateway.ts';

let fixture: RawAgentGateway;
let gateway: Gateway;
let honest: RawCluster;
let token: string;

before(async () => {
  fixture = await startRawAgentGateway('early');
  ({ gateway, honest, token } = fixture);
});

after(async () => {
  await fixture?.close();
});

const BODY_BYTES = 2 * 1024 * 1024;

describe('an answer that comes before the request body is whole', () => {
  test('the early answer says Connection: close and the connection closes, rather than hang the next request', async () => {
    const first = `/k8s/clusters/${honest.clusterId}/api/v1/namespaces/x/configmaps`;
    const second = `/k8s/clusters/${honest.clusterId}/api/two`;
    void answer(honest.agent, '/api/v1/namespaces/x/configmaps', (id) => [
      encode.response(id, { status: 403, headers: [['content-length', '9']] }),
      encode.data(id, Buffer.from('forbidden')),
      encode.end(id),
    ]);
    void answer(honest.agent, '/api/two', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-2')),
      encode.end(id),
    ]);
    const { port } = new URL(gateway.url);
    const { text, closed } = await new Promise<{ text: string; closed: boolean }>((resolve) => {
      let received = '';
      let rest = false;
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST ${first} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${BODY_BYTES}\r\n\r\n`,
        );
        socket.write(Buffer.alloc(16 * 1024, 0x20));
      });
      socket.setEncoding('utf8');
      // Writing the rest of the body into a connection the gateway closed fails: expected.
      socket.on('error', () => {});
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (!rest && received.includes('forbidden')) {
          rest = true;
          socket.write(Buffer.alloc(BODY_BYTES - 16 * 1024, 0x20));
          socket.write(`GET ${second} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\n\r\n`);
        }
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ text: received, closed: false });
      }, 5_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ text: received, closed: true });
      });
    });
    assert.match(text, /^HTTP\/1\.1 403 /);
    assert.match(text, /\r\nConnection: close\r\n/i, text);
    assert.ok(closed, 'the connection is closed after the early answer, not left hanging');
  });

  test('an answer after the whole body keeps the connection for the next request', async () => {
    const first = `/k8s/clusters/${honest.clusterId}/api/v1/namespaces/y/configmaps`;
    const second = `/k8s/clusters/${honest.clusterId}/api/four`;
    void (async () => {
      const open = await honest.agent.waitForFrame(
        (f) => f.type === 'OPEN' && f.head.path === '/api/v1/namespaces/y/configmaps',
      );
      // Answered only once the whole body came, as an apiserver answers a create.
      await honest.agent.waitForFrame((f) => f.type === 'END' && f.streamId === open.streamId);
      honest.agent.send(encode.response(open.streamId, { status: 201, headers: [['content-length', '7']] }));
      honest.agent.send(encode.data(open.streamId, Buffer.from('created')));
      honest.agent.send(encode.end(open.streamId));
    })();
    void answer(honest.agent, '/api/four', (id) => [
      encode.response(id, { status: 200, headers: [['content-length', '6']] }),
      encode.data(id, Buffer.from('real-4')),
      encode.end(id),
    ]);
    const { port } = new URL(gateway.url);
    const text = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST ${first} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
        );
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.endsWith('created'))
          socket.write(`GET ${second} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\n\r\n`);
        if (received.endsWith('real-4')) socket.end();
      });
      const timer = setTimeout(() => socket.destroy(), 5_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
    });
    assert.match(text, /^HTTP\/1\.1 201 /);
    assert.doesNotMatch(text, /Connection: close/i);
    assert.match(text, /real-4$/, text);
  });
});
