import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';

/** An HTTP CONNECT proxy on loopback that tunnels only to the hosts it knows. */
export interface ConnectProxy {
  readonly url: string;
  /** Every CONNECT target asked for, in order (`host:port`). */
  readonly targets: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a CONNECT proxy; `routes` maps a `host:port` the client names to the loopback port
 * it reaches, so that a client can dial a name no resolver knows. Other targets get 403.
 */
export async function startConnectProxy(routes: ReadonlyMap<string, number>): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    track(client);
    const target = req.url ?? '';
    targets.push(target);
    const port = routes.get(target);
    if (port === undefined) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
