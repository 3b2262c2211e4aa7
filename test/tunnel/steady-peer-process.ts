// An agent's end of a tunnel in a process of its own, whose heartbeat keeps going whatever
// the gateway does. It does not adopt the gateway's timing and waits a minute before it
// judges the gateway, so a test can hold the gateway's event loop for longer than the
// gateway's liveness timeout and see what the gateway alone decides. It answers every
// stream 200 with the body `alive`, and writes `hello <clusterId>` on stdout once greeted.
// It exits when its stdin closes (the test ended), so it cannot outlive the test.
//
// Usage: node steady-peer-process.ts <gateway url> <registration token>, with the gateway's
// CA in STEADY_PEER_CA_PEM when it serves HTTPS.
import { WebSocket } from 'ws';
import { PROTOCOL_VERSIONS, TUNNEL_PATH } from '../../src/shared/tunnel/limits.ts';
import { TunnelSession } from '../../src/shared/tunnel/session.ts';

const [gatewayUrl, token] = process.argv.slice(2);
if (!gatewayUrl || !token) throw new Error('usage: steady-peer-process.ts <gateway url> <token>');

const url = new URL(TUNNEL_PATH, gatewayUrl);
url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
const socket = new WebSocket(url, [...PROTOCOL_VERSIONS], {
  headers: { authorization: `Bearer ${token}` },
  ca: process.env.STEADY_PEER_CA_PEM || undefined,
});
socket.once('open', () => {
  const session = new TunnelSession(socket, {
    role: 'agent',
    label: 'steady peer',
    heartbeatIntervalMs: 100,
    livenessTimeoutMs: 60_000,
  });
  session.on('hello', (hello) => process.stdout.write(`hello ${hello.clusterId}\n`));
  session.on('stream', (stream) => {
    stream.resume();
    stream.respond({ status: 200, headers: [['content-type', 'text/plain']] });
    stream.end('alive');
  });
  session.on('close', ({ code, reason }) => {
    process.stdout.write(`closed ${code} ${reason}\n`);
    process.exit(0);
  });
});
socket.on('error', (error) => {
  process.stderr.write(`steady peer: ${error.message}\n`);
  process.exit(1);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
