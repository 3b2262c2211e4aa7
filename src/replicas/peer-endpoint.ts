import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ClusterClient } from '../clusters/cluster-client.ts';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import { PEER_CLUSTER_HEADER, PEER_MODE_HEADER, type PeerStreamMode } from '../clusters/peer-tunnels.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../shared/log/logger.ts';
import { CloseCode, ResetCode } from '../shared/tunnel/codes.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSIONS } from '../shared/tunnel/limits.ts';
import { TunnelSession } from '../shared/tunnel/session.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';

/** What the endpoint needs of the gateway's drain (src/server/drain.ts). */
export interface StreamDrain {
  /** Tracks an open stream; `endCleanly` ends it at the deadline. The result forgets it. */
  track(endCleanly: () => void): () => void;
}

/** Links of one direction open now, and the streams they carry. */
export interface PeerLinkStats {
  readonly links: number;
  readonly streams: number;
}

/** Where replicas open their links to each other. */
export const PEER_PATH = '/v1/peer';
/** Streams one link may carry: every forwarded request of a replica to this one. */
export const PEER_LINK_MAX_STREAMS = 4096;

const lower = (name: string) => name.toLowerCase();
const PEER_HEADERS = new Set([lower(PEER_CLUSTER_HEADER), lower(PEER_MODE_HEADER)]);
const PEER_MODES: ReadonlySet<string> = new Set<PeerStreamMode>(['short', 'long', 'upgrade', 'cache']);

/** What answers a peer's questions about the caches of a cluster this replica owns (docs/replicas.md §6). */
export interface CacheQuestions {
  serve(clusterId: string, stream: TunnelStream): Promise<void>;
}

/** True when the bearer token is the peer secret (constant time). */
function provesPeer(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const expected = Buffer.from(secret, 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * The replica side of links from other replicas (docs/replicas.md §5): a link speaks the
 * tunnel protocol with this replica in the agent's role; each stream names a cluster whose
 * tunnel this replica holds and goes down that tunnel as it came, impersonation included
 * (the peer authenticated the person). A stream for a cluster this replica does not hold is
 * refused: requests take at most one hop.
 */
export class PeerEndpoint {
  readonly #secret: string;
  readonly #clusters: ClusterClient;
  readonly #connections: ClusterConnections;
  readonly #log: Logger;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<TunnelSession>();
  readonly #drain: StreamDrain | undefined;
  readonly #cacheQuestions: CacheQuestions | undefined;

  constructor(options: {
    readonly secret: string;
    /** Answers streams of mode `cache`: questions about the caches of clusters this replica owns. */
    readonly cacheQuestions?: CacheQuestions;
    /** A client of this replica's own tunnels only. */
    readonly clusters: ClusterClient;
    readonly connections: ClusterConnections;
    readonly log: Logger;
    /**
     * The gateway's drain: a forwarded stream counts as an open stream of this replica, so a
     * draining replica keeps its agents' tunnels until the streams its peers run through them
     * end, or ends them cleanly at the deadline (docs/replicas.md §7).
     */
    readonly drain?: StreamDrain;
  }) {
    this.#secret = options.secret;
    this.#drain = options.drain;
    this.#clusters = options.clusters;
    this.#connections = options.connections;
    this.#log = options.log;
    this.#cacheQuestions = options.cacheQuestions;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => PROTOCOL_VERSIONS.find((v) => offered.has(v)) ?? false,
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!provesPeer(req, this.#secret)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = new TunnelSession(ws, {
        role: 'agent',
        label: `peer ${req.socket.remoteAddress}`,
        maxStreams: PEER_LINK_MAX_STREAMS,
      });
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      session.on('stream', (stream) => void this.#serve(stream));
    });
  }

  async #serve(stream: TunnelStream): Promise<void> {
    const head = stream.requestHead;
    // Each peer header at most once, with a known mode: a stream that names two clusters or
    // two modes was not written by a replica, and is refused rather than read either way.
    const values = (name: string) => head.headers.filter(([n]) => lower(n) === lower(name)).map(([, v]) => v);
    const clusters = values(PEER_CLUSTER_HEADER);
    const modes = values(PEER_MODE_HEADER);
    const clusterId = clusters[0] ?? '';
    const mode = modes[0] ?? 'short';
    if (clusters.length > 1 || modes.length > 1 || !PEER_MODES.has(mode)) {
      stream.reset(ResetCode.BAD_REQUEST_HEAD, 'a peer stream names one cluster and one known mode');
      return;
    }
    if (mode === 'cache') {
      if (this.#cacheQuestions) await this.#cacheQuestions.serve(clusterId, stream);
      else stream.reset(ResetCode.REFUSED, 'this replica answers no questions about caches');
      return;
    }
    if (!this.#connections.sessionFor(clusterId)) {
      stream.reset(ResetCode.UPSTREAM_FAILED, `this replica holds no tunnel of ${clusterId.slice(0, 64)}`);
      return;
    }
    // At the drain's deadline: a stream still waiting for its answer, or a short answer
    // still flowing, is reset (a truncated body must not look complete); a watch, a log
    // follow or an upgraded stream ends as the apiserver ends a watch (see below).
    let endAtDeadline = () => stream.reset(ResetCode.CANCELLED, 'replica stopping');
    const untrack = this.#drain?.track(() => endAtDeadline());
    // Done once its answer is complete ('finish': the END went out), or once it is gone.
    if (untrack) stream.once('finish', untrack).once('close', untrack);
    try {
      const answer = await this.#clusters.send(clusterId, {
        method: head.method,
        path: head.path,
        headers: head.headers.filter(([name]) => !PEER_HEADERS.has(lower(name))),
        body: mode === 'upgrade' ? undefined : stream,
        upgrade: mode === 'upgrade',
        longLived: mode !== 'short',
      });
      stream.respond({ status: answer.status, headers: answer.headers });
      if (mode !== 'short')
        endAtDeadline = () => {
          answer.body.unpipe(stream);
          answer.body.destroy();
          stream.end();
        };
      answer.body.on('error', (error) => stream.destroy(error));
      stream.on('error', () => answer.body.destroy());
      stream.on('close', () => answer.body.destroy());
      if (mode === 'upgrade' && answer.status === 101) stream.pipe(answer.body);
      answer.body.pipe(stream);
    } catch (error) {
      const code =
        error instanceof GatewayError && error.code === 'CLUSTER_FORBIDDEN'
          ? ResetCode.REFUSED
          : error instanceof GatewayError && error.code === 'CLUSTER_BUSY'
            ? ResetCode.TOO_MANY_STREAMS
            : ResetCode.UPSTREAM_FAILED;
      if (!stream.destroyed) stream.reset(code, (error as Error).message.slice(0, 512));
      this.#log.debug({ clusterId, err: error }, 'a forwarded stream failed');
    }
  }

  /** The links peers opened to this replica, and the streams they carry (for /metrics). */
  stats(): PeerLinkStats {
    let streams = 0;
    for (const session of this.#sessions) streams += session.streamCount;
    return { links: this.#sessions.size, streams };
  }

  close(): void {
    for (const session of this.#sessions) session.close(CloseCode.GOING_AWAY, 'replica stopping');
    this.#wss.close();
  }
}
