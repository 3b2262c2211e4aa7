import { connect, createServer, type Socket } from 'node:net';

/** A TCP load balancer on loopback in front of several backends (the replicas). */
export interface TcpBalancer {
  /** The port clients dial. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a round-robin TCP balancer: each connection goes to the next backend that accepts
 * it (a refused one is skipped, as a load balancer's health check would), bytes untouched
 * (TLS passes through).
 */
export async function startTcpBalancer(backendPorts: readonly number[]): Promise<TcpBalancer> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  let next = 0;
  const server = createServer((client) => {
    track(client);
    client.pause();
    const attempt = (tries: number) => {
      if (tries >= backendPorts.length) {
        client.destroy();
        return;
      }
      const port = backendPorts[next++ % backendPorts.length] as number;
      const backend = connect(port, '127.0.0.1');
      backend.once('error', () => attempt(tries + 1));
      backend.once('connect', () => {
        track(backend);
        backend.removeAllListeners('error');
        backend.on('error', () => client.destroy());
        client.on('error', () => backend.destroy());
        client.pipe(backend).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
