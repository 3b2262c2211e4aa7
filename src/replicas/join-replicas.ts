import type { AccessControllers } from '../access/access-controllers.ts';
import type { CacheOwnerRouting } from '../cache/cache-owner-routing.ts';
import type { CollectionRef } from '../cache/cached-collections.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import { ClusterClient } from '../clusters/cluster-client.ts';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { HealthMonitor } from '../clusters/health-monitor.ts';
import type { ManagementStore } from '../management/store-repositories.ts';
import type { Logger } from '../shared/log/logger.ts';
import { ClusterOwnership } from './cluster-ownership.ts';
import { type CacheQuestions, PeerEndpoint, type StreamDrain } from './peer-endpoint.ts';
import { PeerLinks } from './peer-links.ts';
import { loadPeerSecret } from './peer-secret.ts';
import { ReplicaMembership } from './replica-membership.ts';

/** What a replica runs besides what one process does (docs/replicas.md §4-§6). */
export interface ReplicaParts {
  readonly membership: ReplicaMembership;
  readonly ownership: ClusterOwnership;
  readonly peerEndpoint: PeerEndpoint;
  readonly peerLinks: PeerLinks;
}

/** What the replicas need of the side that asks owners about their caches (src/graphql/owner-asks.ts). */
export interface CacheOwnerAsks {
  useRouting(routing: CacheOwnerRouting): void;
  /** The cluster's collections read here lately: what this replica warms when it acquires it. */
  readLately(clusterId: string): readonly CollectionRef[];
}

/** The parts of one process a replica joins to the others. */
export interface JoinReplicasOptions {
  readonly management: ManagementStore;
  readonly peerAddress: string;
  readonly peerServerName: string | undefined;
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly clusterClient: ClusterClient;
  readonly health: HealthMonitor;
  readonly accessControllers: AccessControllers;
  readonly caches: ListCaches;
  readonly cacheAnswers: CacheQuestions | undefined;
  readonly owners: CacheOwnerAsks | undefined;
  readonly caPem: string | undefined;
  readonly drain: StreamDrain;
  readonly log: Logger;
}

/**
 * Takes this replica's Lease, starts owning clusters, serves links from peers and routes
 * requests for clusters held elsewhere through links to their replicas.
 */
export async function joinReplicas(options: JoinReplicasOptions): Promise<ReplicaParts> {
  const { management, registry, log } = options;
  const membership = await ReplicaMembership.join({ ...management, peerAddress: options.peerAddress, log });
  const ownership = await ClusterOwnership.start({
    kube: management.kube,
    namespace: management.namespace,
    membership,
    clusterIds: () => registry.list().map((cluster) => cluster.clusterId),
    log,
  });
  const secret = await loadPeerSecret(management.kube, management.namespace);
  const peerEndpoint = new PeerEndpoint({
    secret,
    // Its own tunnels only: a forwarded request is not forwarded again.
    clusters: new ClusterClient(registry, options.connections),
    connections: options.connections,
    drain: options.drain,
    cacheQuestions: options.cacheAnswers,
    log,
  });
  const peerLinks = new PeerLinks({
    membership,
    holderOf: management.holderOf,
    secret,
    caPem: options.caPem,
    serverName: options.peerServerName,
    log,
  });
  options.clusterClient.routeThroughPeers(peerLinks);
  // Each cluster's health is checked once, by its owner, wherever its tunnel is.
  options.health.checkOwnedOnly((clusterId) => ownership.owns(clusterId));
  // And its access controller runs there only (docs/replicas.md §6).
  options.accessControllers.runOwnedOnly((clusterId) => ownership.owns(clusterId));
  ownership.on('acquired', (clusterId) => {
    if (registry.get(clusterId)?.state === 'Active') void options.health.check(clusterId, true);
    options.accessControllers.acquired(clusterId);
  });
  ownership.on('released', (clusterId) => options.accessControllers.released(clusterId));
  // Its list caches and stats too: others ask the owner (docs/replicas.md §6).
  const me = membership.replicaId;
  options.caches.runOnlyWhere((clusterId) => ownership.owns(clusterId));
  options.owners?.useRouting({
    replicaId: me,
    owns: (clusterId) => ownership.owns(clusterId),
    ownerOf: (clusterId) => {
      if (ownership.owns(clusterId)) return me;
      const holder = ownership.ownerOf(clusterId);
      return holder && holder !== me && membership.liveIds().includes(holder) ? holder : undefined;
    },
    linkTo: (replicaId) => peerLinks.linkTo(replicaId),
  });
  ownership.on('acquired', (clusterId) => {
    for (const ref of options.owners?.readLately(clusterId) ?? [])
      void options.caches.prewarm(clusterId, ref);
  });
  ownership.on('released', (clusterId) => options.caches.release(clusterId));
  return { membership, ownership, peerEndpoint, peerLinks };
}
