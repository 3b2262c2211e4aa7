import type { Readable } from 'node:stream';
import type { HeaderPairs, ResponseHead } from '../shared/tunnel/heads.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import type { ClusterConnections } from './cluster-connections.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

/** Why a cluster cannot be reached; maps to 404 and 503. */
export class ClusterUnavailableError extends Error {
  readonly code: 'CLUSTER_NOT_FOUND' | 'CLUSTER_DISCONNECTED';
  readonly clusterId: string;
  constructor(code: ClusterUnavailableError['code'], clusterId: string, message: string) {
    super(message);
    this.name = 'ClusterUnavailableError';
    this.code = code;
    this.clusterId = clusterId;
  }
}

/** A request to send to a cluster's apiserver through its tunnel. */
export interface ClusterRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: HeaderPairs;
  /** Request body; omitted means none. */
  readonly body?: Buffer | Readable;
  /** An upgrade: the stream stays open for the caller to write to after the 101. */
  readonly upgrade?: boolean;
}

/** An answer whose body is still streaming. */
export interface ClusterResponse {
  readonly head: ResponseHead;
  readonly stream: TunnelStream;
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Sends requests to clusters' apiservers through their agents' tunnels. */
export class ClusterClient {
  readonly #registry: ClusterRegistry;
  readonly #connections: ClusterConnections;

  constructor(registry: ClusterRegistry, connections: ClusterConnections) {
    this.#registry = registry;
    this.#connections = connections;
  }

  /** Opens a stream and waits for the response head; the body is the stream. */
  async request(clusterId: string, request: ClusterRequest): Promise<ClusterResponse> {
    const session = this.#connections.sessionFor(clusterId);
    if (!session) {
      const cluster = this.#registry.get(clusterId);
      if (!cluster)
        throw new ClusterUnavailableError('CLUSTER_NOT_FOUND', clusterId, `no cluster ${clusterId}`);
      throw new ClusterUnavailableError(
        'CLUSTER_DISCONNECTED',
        clusterId,
        `cluster ${cluster.name} (${clusterId}) is not connected: ${cluster.stateReason}`,
      );
    }
    const stream = await session.openStream({
      method: request.method,
      path: request.path,
      headers: request.headers ?? [],
    });
    if (request.upgrade) {
      // the caller writes to the stream once the upgrade is answered
    } else if (request.body === undefined) stream.end();
    else if (Buffer.isBuffer(request.body)) stream.end(request.body);
    else request.body.pipe(stream);
    const head = await stream.response;
    return { head, stream };
  }

  /** A request whose answer is JSON, read whole (up to 64 MiB). */
  async json<T>(clusterId: string, request: ClusterRequest): Promise<{ status: number; body: T }> {
    const { head, stream } = await this.request(clusterId, {
      ...request,
      headers: [['Accept', 'application/json'], ...(request.headers ?? [])],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) {
        stream.destroy();
        throw new Error(
          `cluster ${clusterId} answered ${request.path} with more than ${MAX_JSON_BYTES} bytes`,
        );
      }
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: T;
    try {
      body = JSON.parse(raw) as T;
    } catch {
      throw new Error(
        `cluster ${clusterId} answered ${request.path} with ${head.status} and a body that is not JSON`,
      );
    }
    return { status: head.status, body };
  }
}
