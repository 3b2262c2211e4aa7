import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.ts';
import { TUNNEL_PATH } from '../tunnel/limits.ts';
import type { ClustersApi } from './clusters-api.ts';
import { HttpError, sendError } from './http-json.ts';
import type { TunnelEndpoint } from './tunnel-endpoint.ts';

export interface HttpServerParts {
  readonly tunnel: TunnelEndpoint;
  readonly clustersApi: ClustersApi;
  readonly log: Logger;
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
}

const MAX_URL_CHARS = 16 * 1024;

function requestUrl(req: IncomingMessage): URL {
  const raw = req.url ?? '/';
  if (raw.length > MAX_URL_CHARS || !raw.startsWith('/'))
    throw new HttpError(400, 'BAD_REQUEST', 'malformed request target');
  return new URL(raw, 'http://gateway.invalid');
}

/** The gateway's one HTTP(S) server: routes requests and WebSocket upgrades to the parts. */
export function createGatewayServer(parts: HttpServerParts): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const url = requestUrl(req);
        if (url.pathname === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        if (url.pathname === TUNNEL_PATH)
          throw new HttpError(426, 'UPGRADE_REQUIRED', 'the tunnel endpoint speaks WebSocket only');
        if (await parts.clustersApi.handle(req, res, url)) return;
        throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
      } catch (error) {
        if (error instanceof HttpError) {
          if (error.status === 426) res.setHeader('upgrade', 'websocket');
          if (!res.headersSent) sendError(res, error);
          else res.destroy();
          return;
        }
        parts.log.error({ err: (error as Error).message, stack: (error as Error).stack }, 'request failed');
        if (!res.headersSent) sendError(res, new HttpError(500, 'INTERNAL', 'internal error'));
        else res.destroy();
      }
    })();
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = requestUrl(req);
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (url.pathname === TUNNEL_PATH) {
      parts.tunnel.handleUpgrade(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  };

  const server = parts.tls
    ? createHttpsServer({ cert: parts.tls.certPem, key: parts.tls.keyPem }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', onUpgrade);
  // Bounds for slow or idle clients; watches and tunnels are long-lived upgrades or streams.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return server;
}
