import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { failureForPeople, GatewayError } from '../errors/gateway-error.ts';
import { GRAPHQL_PATH, type GraphqlEndpoint } from '../graphql/graphql-endpoint.ts';
import { sendStatus, sendStatusOnSocket } from '../proxy/k8s-status.ts';
import type { Passthrough } from '../proxy/passthrough.ts';
import {
  PASSTHROUGH_PREFIX,
  type PassthroughTarget,
  parsePassthroughTarget,
} from '../proxy/passthrough-path.ts';
import { PEER_PATH, type PeerEndpoint } from '../replicas/peer-endpoint.ts';
import type { Logger } from '../shared/log/logger.ts';
import { TUNNEL_PATH } from '../shared/tunnel/limits.ts';
import type { AccessApi } from './access-api.ts';
import type { AuthApi } from './auth-api.ts';
import type { ClustersApi } from './clusters-api.ts';
import type { Drain } from './drain.ts';
import { sendError } from './http-json.ts';
import type { MetricsApi } from './metrics-api.ts';
import type { ReplicasApi } from './replicas-api.ts';
import type { TunnelEndpoint } from './tunnel-endpoint.ts';

/** What the server routes to; set once the gateway's parts exist. */
export interface HttpRoutes {
  readonly tunnel: TunnelEndpoint;
  readonly clustersApi: ClustersApi;
  readonly authApi: AuthApi;
  readonly passthrough: Passthrough;
  readonly graphql: GraphqlEndpoint;
  readonly metrics: MetricsApi;
  /** With a management store only. */
  readonly replicas?: ReplicasApi;
  /** Links from other replicas (docs/replicas.md §5); with a management store only. */
  readonly peers?: PeerEndpoint;
  /** The access policy's API (docs/access-control.md). */
  readonly accessApi: AccessApi;
}

/** The gateway's server, listening before its routes are ready (they may need its port). */
export interface GatewayServer {
  readonly server: Server;
  setRoutes(routes: HttpRoutes): void;
}

const MAX_URL_CHARS = 16 * 1024;
/** A client has this long to send a request's headers. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** ... and this long to send the whole request, body included. */
export const REQUEST_TIMEOUT_MS = 300_000;
/** An idle kept-alive connection is closed after this (longer than common load balancers' 60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** A failure as the person should see it; anything unexpected is logged and hidden. */
function shownFailure(error: unknown, log: Logger, what: string): GatewayError {
  return failureForPeople(error, (unexpected) =>
    log.error({ err: (unexpected as Error)?.message, stack: (unexpected as Error)?.stack }, what),
  );
}

function requestUrl(req: IncomingMessage): URL {
  const raw = req.url ?? '/';
  if (raw.length > MAX_URL_CHARS || !raw.startsWith('/'))
    throw new GatewayError('BAD_USER_INPUT', 'malformed request target');
  return new URL(raw, 'http://gateway.invalid');
}

/** Liveness: the process answers. */
const HEALTHZ_PATH = '/healthz';
/** Readiness: the gateway takes new work (503 once it starts and while it drains). */
const READYZ_PATH = '/readyz';
/** While draining, a refused client is told to come back through another connection. */
const DRAINING_HEADERS = { 'retry-after': '1', connection: 'close' } as const;
const DRAINING_ON_SOCKET =
  'HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

function isProbe(rawTarget: string | undefined): boolean {
  const path = rawTarget?.split('?')[0];
  return path === HEALTHZ_PATH || path === READYZ_PATH;
}

/** The gateway's one HTTP(S) server: routes requests and WebSocket upgrades to the parts. */
export function createGatewayServer(
  log: Logger,
  drain: Drain,
  tls?: { readonly certPem: string; readonly keyPem: string },
): GatewayServer {
  let parts: HttpRoutes | undefined;
  /** The passthrough reads the raw request target: URL parsing would resolve dot segments. */
  const passThrough = (
    rawTarget: string,
    handle: (target: PassthroughTarget) => Promise<void>,
    answerFailure: (failure: GatewayError) => void,
  ) => {
    void (async () => {
      try {
        const target = parsePassthroughTarget(rawTarget);
        if (target) await handle(target);
      } catch (error) {
        answerFailure(shownFailure(error, log, 'passthrough failed'));
      }
    })();
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!parts) {
      sendError(res, new GatewayError('STARTING', 'the gateway is starting'));
      return;
    }
    const routes = parts;
    if (drain.draining && !isProbe(req.url)) {
      // No new work: a client retrying on a new connection reaches another replica.
      for (const [name, value] of Object.entries(DRAINING_HEADERS)) res.setHeader(name, value);
      const failure = new GatewayError('DRAINING', 'the gateway is stopping; try again');
      if (req.url?.startsWith(PASSTHROUGH_PREFIX)) sendStatus(res, failure);
      else sendError(res, failure);
      return;
    }
    if (req.url?.startsWith(PASSTHROUGH_PREFIX)) {
      passThrough(
        req.url,
        (target) => routes.passthrough.handleRequest(req, res, target),
        (failure) => {
          if (!res.headersSent) sendStatus(res, failure);
          else res.destroy();
        },
      );
      return;
    }
    void (async () => {
      try {
        const url = requestUrl(req);
        if (url.pathname === HEALTHZ_PATH) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        if (url.pathname === READYZ_PATH) {
          if (drain.draining) res.writeHead(503, { 'content-type': 'text/plain' }).end('draining');
          else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        if (url.pathname === GRAPHQL_PATH) {
          await routes.graphql.handle(req, res, url);
          return;
        }
        if (url.pathname === TUNNEL_PATH)
          throw new GatewayError('UPGRADE_REQUIRED', 'the tunnel endpoint speaks WebSocket only');
        if (await routes.clustersApi.handle(req, res, url)) return;
        if (await routes.metrics.handle(req, res, url)) return;
        if (routes.replicas && (await routes.replicas.handle(req, res, url))) return;
        if (await routes.authApi.handle(req, res, url)) return;
        if (await routes.accessApi.handle(req, res, url)) return;
        throw new GatewayError('NOT_FOUND', `no route ${req.method} ${url.pathname}`);
      } catch (error) {
        const failure = shownFailure(error, log, 'request failed');
        if (failure.code === 'UPGRADE_REQUIRED') res.setHeader('upgrade', 'websocket');
        if (!res.headersSent) sendError(res, failure);
        else res.destroy();
      }
    })();
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!parts) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const routes = parts;
    // No new tunnel, exec, port-forward or subscription. Links from peers are still taken:
    // they reach the clusters whose tunnels are here until the drain ends.
    if (drain.draining && req.url?.split('?')[0] !== PEER_PATH) {
      socket.end(DRAINING_ON_SOCKET);
      return;
    }
    if (req.url?.startsWith(PASSTHROUGH_PREFIX)) {
      passThrough(
        req.url,
        (target) => routes.passthrough.handleUpgrade(req, socket, head, target),
        (failure) => sendStatusOnSocket(socket, failure),
      );
      return;
    }
    let url: URL;
    try {
      url = requestUrl(req);
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (url.pathname === TUNNEL_PATH) {
      routes.tunnel.handleUpgrade(req, socket, head);
      return;
    }
    if (url.pathname === GRAPHQL_PATH) {
      routes.graphql.handleUpgrade(req, socket, head);
      return;
    }
    if (url.pathname === PEER_PATH && routes.peers) {
      routes.peers.handleUpgrade(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  };

  const server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', onUpgrade);
  // Bounds for slow or idle clients (a slowloris cannot hold sockets open forever). The
  // request timeout counts until the request is read whole, not its answer: watches, log
  // follows and upgrades (exec, tunnels) stream on after it.
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return {
    server,
    setRoutes(routes) {
      parts = routes;
    },
  };
}
