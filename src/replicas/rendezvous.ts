import { createHash } from 'node:crypto';

/** The weight of a replica for a cluster: the first 8 bytes of SHA-256 of both names. */
function weight(clusterId: string, replicaId: string): bigint {
  return createHash('sha256').update(`${clusterId}\u0000${replicaId}`, 'utf8').digest().readBigUInt64BE(0);
}

/**
 * Rendezvous (highest random weight) hashing: the replicas in the order they should own a
 * cluster. Every replica that knows the same live set computes the same order, and when a
 * replica leaves only the clusters it owned move (docs/replicas.md §6).
 */
export function rendezvousOrder(clusterId: string, replicaIds: readonly string[]): string[] {
  return [...replicaIds]
    .map((replicaId) => ({ replicaId, weight: weight(clusterId, replicaId) }))
    .sort((a, b) =>
      a.weight === b.weight ? (a.replicaId < b.replicaId ? -1 : 1) : a.weight > b.weight ? -1 : 1,
    )
    .map((entry) => entry.replicaId);
}
