import { finished, type Readable, type Writable } from 'node:stream';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeTransport, WireRequest, WireResponse } from '../kube/transport.ts';
import { ResetCode, StreamResetError } from '../shared/tunnel/codes.ts';
import type { ClusterConnections } from './cluster-connections.ts';
import type { ClusterRegistry } from './cluster-registry.ts';
import { PEER_CLUSTER_HEADER, PEER_MODE_HEADER, type PeerTunnels } from './peer-tunnels.ts';

const PEER_HEADER_NAMES = new Set([PEER_CLUSTER_HEADER.toLowerCase(), PEER_MODE_HEADER.toLowerCase()]);

/**
 * The tunnel as the Kubernetes layer's transport: each request is one stream of the
 * cluster's newest tunnel, or, when another replica holds it, one stream of the link to
 * that replica (docs/replicas.md §5). Every failure to get an answer is a GatewayError.
 */
export class ClusterClient implements KubeTransport {
  readonly #registry: ClusterRegistry;
  readonly #connections: ClusterConnections;
  #peers: PeerTunnels | undefined;

  constructor(registry: ClusterRegistry, connections: ClusterConnections) {
    this.#registry = registry;
    this.#connections = connections;
  }

  /** Reaches clusters whose tunnel another replica holds (set once the replica has joined its peers). */
  routeThroughPeers(peers: PeerTunnels): void {
    this.#peers = peers;
  }

  async send(clusterId: string, request: WireRequest): Promise<WireResponse> {
    let session = this.#connections.sessionFor(clusterId);
    let headers = request.headers;
    if (!session && this.#peers) {
      session = await this.#peers.sessionFor(clusterId).catch(() => undefined);
      const mode = request.upgrade ? 'upgrade' : request.longLived ? 'long' : 'short';
      // Whatever the request already carries under these names is dropped, never appended
      // to: the holding replica must read the cluster and the mode this replica chose.
      if (session)
        headers = [
          ...headers.filter(([name]) => !PEER_HEADER_NAMES.has(name.toLowerCase())),
          [PEER_CLUSTER_HEADER, clusterId],
          [PEER_MODE_HEADER, mode],
        ];
    }
    if (!session) {
      const cluster = this.#registry.get(clusterId);
      if (!cluster)
        throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
      throw new GatewayError(
        'CLUSTER_UNAVAILABLE',
        `cluster ${cluster.name} (${clusterId}) is not connected: ${cluster.stateReason}`,
        { clusterId },
      );
    }
    try {
      const stream = await session.openStream(
        { method: request.method, path: request.path, headers },
        { longLived: request.longLived || request.upgrade },
      );
      if (request.upgrade) {
        // the caller writes to the stream once the upgrade is answered
      } else if (request.body === undefined) stream.end();
      else if (Buffer.isBuffer(request.body)) stream.end(request.body);
      else sendBody(request.body as Readable, stream);
      const head = await stream.response;
      return { status: head.status, headers: head.headers, body: stream };
    } catch (error) {
      throw streamFailure(error, clusterId);
    }
  }
}

/**
 * Pipes a request body into its stream. A body that stops short (its client went away, or
 * its credential was revoked and its connection cut) resets the stream: `pipe` alone leaves
 * the stream open, and the apiserver waits for the rest, holding the person's slot, until its
 * own timeout. Only this direction is tied: a stream that ends first (an early answer) must
 * not destroy the request, whose connection still carries that answer.
 */
function sendBody(body: Readable, stream: Writable): void {
  body.pipe(stream);
  finished(body, (error) => {
    if (error) stream.destroy(error);
  });
}

/** Why a stream gave no answer, in the gateway's vocabulary. */
function streamFailure(error: unknown, clusterId: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof StreamResetError && error.resetCode === ResetCode.TOO_MANY_STREAMS) {
    return new GatewayError('CLUSTER_BUSY', `cluster ${clusterId} is busy: ${error.message}`, {
      clusterId,
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  if (error instanceof StreamResetError && error.resetCode === ResetCode.REFUSED) {
    return new GatewayError(
      'CLUSTER_FORBIDDEN',
      `the cluster's agent refused the request: ${error.message}`,
      { clusterId, cause: error },
    );
  }
  return new GatewayError(
    'CLUSTER_UNAVAILABLE',
    `cluster ${clusterId} did not answer: ${(error as Error).message}`,
    { clusterId, cause: error },
  );
}
