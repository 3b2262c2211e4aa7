// A stand-in gateway in a process of its own whose heartbeat keeps going whatever the agent
// does: it greets each agent with a heartbeat of 200 ms and a liveness timeout of 1 s (which
// the agent adopts), but pings every 100 ms itself and waits a minute before it judges the
// agent. So a test can hold a real agent's event loop past the timeout the agent applies and
// see what the agent alone decides. It writes `port <n>` on stdout once it listens, and
// `closed <code> <reason>` when a tunnel ends; it exits when its stdin closes.
//
// Usage: node steady-gateway-process.ts
import { WebSocketServer } from 'ws';
import { PROTOCOL_VERSIONS } from '../../src/shared/tunnel/limits.ts';
import { TunnelSession } from '../../src/shared/tunnel/session.ts';

const server = new WebSocketServer({
  port: 0,
  host: '127.0.0.1',
  handleProtocols: () => PROTOCOL_VERSIONS[0],
});
let connections = 0;
server.on('listening', () => process.stdout.write(`port ${(server.address() as { port: number }).port}\n`));
server.on('connection', (socket) => {
  connections++;
  const session = new TunnelSession(socket, {
    role: 'gateway',
    label: 'steady gateway',
    heartbeatIntervalMs: 100,
    livenessTimeoutMs: 60_000,
  });
  session.sendHello({
    sessionId: `s${connections}`,
    clusterId: 'c-aaaaaaaaaa',
    heartbeatIntervalMs: 200,
    livenessTimeoutMs: 1000,
  });
  session.on('close', ({ code, reason }) => process.stdout.write(`closed ${code} ${reason}\n`));
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
