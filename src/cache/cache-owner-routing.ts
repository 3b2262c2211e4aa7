import type { TunnelSession } from '../shared/tunnel/session.ts';

/**
 * Who owns which cluster's caches, and the links to the other replicas (docs/replicas.md §6):
 * made by the replicas, used by the GraphQL side that asks owners.
 */
export interface CacheOwnerRouting {
  /** This replica's id. */
  readonly replicaId: string;
  /** True when this replica owns the cluster now. */
  owns(clusterId: string): boolean;
  /** The live replica owning the cluster now (this one included); undefined when none is known. */
  ownerOf(clusterId: string): string | undefined;
  /** The link to a live peer, dialled if need be; undefined when it cannot be had. */
  linkTo(replicaId: string): Promise<TunnelSession | undefined>;
}
