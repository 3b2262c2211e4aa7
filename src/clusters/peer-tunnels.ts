import type { TunnelSession } from '../shared/tunnel/session.ts';

/**
 * Request-head headers of a stream that one replica opens on its link to the replica holding
 * a cluster's tunnel (docs/replicas.md §5): which cluster, and how the stream is used. The
 * holding replica removes them before the request goes down the cluster's tunnel.
 */
export const PEER_CLUSTER_HEADER = 'Fleetgate-Peer-Cluster';
export const PEER_MODE_HEADER = 'Fleetgate-Peer-Mode';
/**
 * Values of PEER_MODE_HEADER: a request for the cluster's tunnel, or (`cache`) a question to
 * the cluster's owner about its caches (docs/replicas.md §6).
 */
export type PeerStreamMode = 'short' | 'long' | 'upgrade' | 'cache';

/** Tunnels held by other replicas, reached through a link to the replica that holds them. */
export interface PeerTunnels {
  /** The link to the live replica holding the cluster's tunnel; undefined when there is none. */
  sessionFor(clusterId: string): Promise<TunnelSession | undefined>;
}
