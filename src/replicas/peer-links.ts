import { WebSocket } from 'ws';
import type { PeerTunnels } from '../clusters/peer-tunnels.ts';
import type { Logger } from '../shared/log/logger.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSIONS } from '../shared/tunnel/limits.ts';
import { TunnelSession } from '../shared/tunnel/session.ts';
import { PEER_LINK_MAX_STREAMS, PEER_PATH, type PeerLinkStats } from './peer-endpoint.ts';
import type { ReplicaMembership } from './replica-membership.ts';

/** A link that does not open in this time is given up (the request fails as unavailable). */
const DIAL_TIMEOUT_MS = 5_000;

/**
 * A failed dial answers every request for this long before the peer is dialled again: a
 * replica that died stays in the live set until its Lease expires (up to 10 s), and without
 * this each request in that time would dial it, wait, and log its own failure.
 */
export const FAILED_DIAL_HOLD_MS = 1_000;

export interface PeerLinksOptions {
  readonly membership: ReplicaMembership;
  /** The replica the store says holds the cluster's tunnel. */
  readonly holderOf: (clusterId: string) => string | null;
  readonly secret: string;
  /** The CA of the replicas' certificate, when it is not a public one. */
  readonly caPem: string | undefined;
  /**
   * The name the peer's certificate must be valid for, when not its address's host: replicas
   * reached at pod addresses share one certificate for the public name.
   */
  readonly serverName?: string;
  readonly log: Logger;
}

/**
 * This replica's links to its peers (docs/replicas.md §5): one tunnel-protocol session per
 * peer, dialled when a request first needs it, authenticated with the peer secret, dropped
 * when it closes (the next request dials again). Only a live replica's address is dialled.
 */
export class PeerLinks implements PeerTunnels {
  readonly #options: PeerLinksOptions;
  readonly #links = new Map<string, Promise<TunnelSession>>();
  /** The links open now (a dial still under way is not one). */
  readonly #open = new Set<TunnelSession>();
  #closed = false;

  constructor(options: PeerLinksOptions) {
    this.#options = options;
  }

  async sessionFor(clusterId: string): Promise<TunnelSession | undefined> {
    const holder = this.#options.holderOf(clusterId);
    return holder ? this.linkTo(holder) : undefined;
  }

  /** The link to a live peer (not this replica), dialled if need be; undefined when there is none. */
  async linkTo(replicaId: string): Promise<TunnelSession | undefined> {
    const { membership } = this.#options;
    if (replicaId === membership.replicaId || this.#closed) return undefined;
    const peer = membership.live().find((replica) => replica.replicaId === replicaId);
    if (!peer?.peerAddress) return undefined;
    const key = `${peer.replicaId} ${peer.peerAddress}`;
    let link = this.#links.get(key);
    if (!link) {
      link = this.#dial(peer.peerAddress, peer.replicaId);
      this.#links.set(key, link);
      link.then(
        (session) => {
          this.#open.add(session);
          session.once('close', () => {
            this.#links.delete(key);
            this.#open.delete(session);
          });
        },
        () => {
          const failed = link;
          setTimeout(() => {
            if (this.#links.get(key) === failed) this.#links.delete(key);
          }, FAILED_DIAL_HOLD_MS).unref();
        },
      );
    }
    const session = await link;
    return session.closed ? undefined : session;
  }

  #dial(peerAddress: string, replicaId: string): Promise<TunnelSession> {
    const url = new URL(PEER_PATH, peerAddress);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    const socket = new WebSocket(url, [...PROTOCOL_VERSIONS], {
      headers: { authorization: `Bearer ${this.#options.secret}` },
      ca: this.#options.caPem,
      ...(this.#options.serverName ? { servername: this.#options.serverName } : {}),
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: DIAL_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    return new Promise<TunnelSession>((resolve, reject) => {
      socket.once('open', () => {
        const session = new TunnelSession(socket, {
          role: 'gateway',
          label: `peer ${replicaId}`,
          maxStreams: PEER_LINK_MAX_STREAMS,
        });
        this.#options.log.info({ replicaId, peerAddress }, 'peer link open');
        resolve(session);
      });
      socket.once('error', (error) => {
        this.#options.log.warn({ replicaId, peerAddress, err: error.message }, 'peer link failed');
        reject(error);
      });
    });
  }

  /** The links this replica dialled that are open, and the streams they carry (for /metrics). */
  stats(): PeerLinkStats {
    let streams = 0;
    for (const session of this.#open) streams += session.streamCount;
    return { links: this.#open.size, streams };
  }

  close(): void {
    this.#closed = true;
    for (const link of this.#links.values())
      link.then((session) => session.close(1001, 'replica stopping')).catch(() => {});
    this.#links.clear();
  }
}
