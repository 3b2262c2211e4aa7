import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY, type Identity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../shared/log/logger.ts';
import { type AccessReviews, reviewAccess } from './access-reviews.ts';
import {
  agentAlwaysReads,
  type CachedTarget,
  type CollectionRef,
  collectionRoot,
} from './cached-collections.ts';
import { CollectionCache } from './collection-cache.ts';
import { FillSlots } from './fill-slots.ts';

/** A cache nobody read for this long is stopped. */
export const CACHE_IDLE_MS = 15 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;
/** Caches run at most at once (all clusters, all kinds); past it, lists go live. */
export const MAX_CACHES = 5_000;
/** How long a cluster's answer about what the agent itself may list and watch is reused. */
const AGENT_RIGHTS_TTL_MS = 60_000;

/** A cache that answers a person's list: in service, or (asked with allowStale) its last copy. */
export interface CacheAnswer {
  readonly cache: CollectionCache;
  /** Set when the copy is no longer kept current: when it stopped being. */
  readonly staleSince?: Date;
}

export interface ListCacheOptions {
  /** A cache nobody read for this long is stopped (default 15 min). */
  readonly idleMs?: number;
  /** Whether people may list what they ask for, as the clusters answer (reused briefly). */
  readonly reviews: AccessReviews;
  /** How long a query waits for a cache to fill before it goes live. */
  readonly readyTimeoutMs: number;
}

/**
 * The gateway's watch-backed caches, one per (cluster, collection), started on first use
 * (docs/list-cache.md). Woken when a cluster's agent connects; dropped when the cluster
 * is removed or nobody reads them.
 */
export class ListCaches {
  readonly #kube: KubeClient;
  readonly #log: Logger;
  readonly #idleMs: number;
  readonly #readyTimeoutMs: number;
  readonly #reviews: AccessReviews;
  #answered = 0;
  #staleAnswers = 0;
  readonly #caches = new Map<string, CollectionCache>();
  readonly #fills = new FillSlots();
  readonly #agentRights = new Map<string, { readonly at: number; readonly allowed: Promise<boolean> }>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #onRemoved = (clusterId: string) => this.#dropCluster(clusterId);
  readonly #onConnected = (clusterId: string) => {
    for (const cache of this.#ofCluster(clusterId)) cache.wake();
  };
  readonly #registry: ClusterRegistry;
  readonly #connections: ClusterConnections;
  /** With replicas, only the clusters this replica owns (docs/replicas.md §6). */
  #runsHere: (clusterId: string) => boolean = () => true;

  constructor(
    kube: KubeClient,
    registry: ClusterRegistry,
    connections: ClusterConnections,
    log: Logger,
    options: ListCacheOptions,
  ) {
    this.#kube = kube;
    this.#registry = registry;
    this.#connections = connections;
    this.#log = log;
    this.#idleMs = options.idleMs ?? CACHE_IDLE_MS;
    this.#readyTimeoutMs = options.readyTimeoutMs;
    this.#reviews = options.reviews;
    registry.on('removed', this.#onRemoved);
    connections.on('connected', this.#onConnected);
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_INTERVAL_MS, this.#idleMs));
    this.#sweeper.unref();
  }

  /**
   * A person's list answered from the cache, if the cluster says they may list the whole
   * collection (or namespace), the agent may list and watch it, and the cache is in
   * service; undefined means go live. 'filling' means the cache's first list is still under
   * way after the ready timeout: a live list beside it would only double the load on a slow
   * cluster, so the caller reports a timeout instead, and the next query finds the cache
   * filled. With `allowStale`, a cache out of service that holds a copy answers the people
   * its cluster said yes to within STALE_ACCESS_MAX_AGE_MS (docs/list-cache.md).
   */
  async answer(
    identity: Identity,
    clusterId: string,
    target: CachedTarget,
    options: { readonly allowStale?: boolean } = {},
  ): Promise<CacheAnswer | 'filling' | undefined> {
    const { ref, namespace } = target;
    if (!this.#runsHere(clusterId)) return undefined;
    const allowed = await this.#reviews.mayList(identity, clusterId, ref.resource, namespace, ref.group);
    if (allowed === false) return undefined;
    if (allowed === undefined) {
      // The cluster cannot be asked now: only a copy, only to whom it said yes lately.
      if (!options.allowStale) return undefined;
      const cache = this.#caches.get(cacheKey(clusterId, ref));
      if (
        !cache?.stale ||
        !this.#reviews.saidYesRecently(identity, clusterId, ref.resource, namespace, ref.group)
      )
        return undefined;
      return this.#stale(cache);
    }
    if (!this.#caches.has(cacheKey(clusterId, ref))) {
      if (this.#caches.size >= MAX_CACHES) return undefined;
      if (!(await this.#agentMayRead(clusterId, ref))) return undefined;
    }
    const cache = this.cacheFor(clusterId, ref);
    // A copy out of service is served at once when asked for, rather than after the ready timeout.
    if (options.allowStale && cache.stale) return this.#stale(cache);
    if (!(await cache.ready(this.#readyTimeoutMs))) {
      if (options.allowStale && cache.stale) return this.#stale(cache);
      return cache.filling ? 'filling' : undefined;
    }
    this.#answered++;
    return { cache };
  }

  /** The cache of a cluster's collection, if one runs. */
  runningCache(clusterId: string, ref: CollectionRef): CollectionCache | undefined {
    return this.#caches.get(cacheKey(clusterId, ref));
  }

  /**
   * With replicas: caches run only for the clusters `runsHere` says this replica owns
   * (docs/replicas.md §6); one of another cluster is never started here.
   */
  runOnlyWhere(runsHere: (clusterId: string) => boolean): void {
    this.#runsHere = runsHere;
  }

  /** Whether this replica runs the cluster's caches (always, without replicas). */
  runsHere(clusterId: string): boolean {
    return this.#runsHere(clusterId);
  }

  /** Stops every cache of a cluster this replica no longer owns, and forgets what it learnt of it. */
  release(clusterId: string): void {
    this.#dropCluster(clusterId);
  }

  /**
   * Starts a cluster's collection before anyone asks (a new owner warming what was read
   * lately), if this replica owns the cluster and the agent may read it; never waits for it.
   */
  async prewarm(clusterId: string, ref: CollectionRef): Promise<void> {
    if (!this.#runsHere(clusterId) || this.#caches.has(cacheKey(clusterId, ref))) return;
    if (this.#caches.size >= MAX_CACHES || !(await this.#agentMayRead(clusterId, ref).catch(() => false)))
      return;
    if (this.#runsHere(clusterId)) this.cacheFor(clusterId, ref);
  }

  /** The collections this replica caches, per cluster (for the replicas API and metrics). */
  byCluster(): Map<string, string[]> {
    const clusters = new Map<string, string[]>();
    for (const cache of this.#caches.values()) {
      const roots = clusters.get(cache.clusterId) ?? [];
      roots.push(collectionRoot(cache.ref));
      clusters.set(cache.clusterId, roots);
    }
    for (const roots of clusters.values()) roots.sort();
    return clusters;
  }

  /** The cache of a cluster's collection, started if it is not running (only on the cluster's owner). */
  cacheFor(clusterId: string, ref: CollectionRef): CollectionCache {
    const key = cacheKey(clusterId, ref);
    let cache = this.#caches.get(key);
    if (!cache) {
      if (!this.#runsHere(clusterId))
        throw new GatewayError(
          'CLUSTER_UNAVAILABLE',
          `cluster ${clusterId}: its caches run on its owner replica, not this one`,
          { clusterId },
        );
      cache = new CollectionCache(this.#kube, clusterId, ref, this.#log, this.#fills);
      this.#caches.set(key, cache);
    }
    return cache;
  }

  #stale(cache: CollectionCache): CacheAnswer {
    cache.lastReadAt = Date.now();
    this.#staleAnswers++;
    return { cache, staleSince: cache.staleSince };
  }

  /**
   * Whether the agent may list and watch a collection across the cluster: its ClusterRole
   * always covers pods, nodes and namespaces; other kinds (all of them with the install
   * manifest's `readAllKinds`) the cluster is asked about, as the agent, once a minute.
   */
  #agentMayRead(clusterId: string, ref: CollectionRef): Promise<boolean> {
    if (agentAlwaysReads(ref)) return Promise.resolve(true);
    const key = cacheKey(clusterId, ref);
    const known = this.#agentRights.get(key);
    if (known && Date.now() - known.at < AGENT_RIGHTS_TTL_MS) return known.allowed;
    const ask = (verb: string) =>
      reviewAccess(this.#kube, AGENT_IDENTITY, clusterId, { verb, group: ref.group, resource: ref.resource });
    const allowed = Promise.all([ask('list'), ask('watch')]).then(
      ([list, watch]) => list === true && watch === true,
    );
    this.#agentRights.delete(key);
    this.#agentRights.set(key, { at: Date.now(), allowed });
    if (this.#agentRights.size > MAX_CACHES * 2) {
      const oldest = this.#agentRights.keys().next().value;
      if (oldest !== undefined) this.#agentRights.delete(oldest);
    }
    return allowed;
  }

  /** How many caches run and how many objects they hold (for metrics and benchmarks). */
  stats(): {
    caches: number;
    synced: number;
    objects: number;
    answered: number;
    staleAnswers: number;
    storedBytes: number;
  } {
    let synced = 0;
    let objects = 0;
    let storedBytes = 0;
    for (const cache of this.#caches.values()) {
      if (cache.synced) synced++;
      objects += cache.size;
      storedBytes += cache.storedBytes;
    }
    return {
      caches: this.#caches.size,
      synced,
      objects,
      answered: this.#answered,
      staleAnswers: this.#staleAnswers,
      storedBytes,
    };
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#registry.off('removed', this.#onRemoved);
    this.#connections.off('connected', this.#onConnected);
    for (const cache of this.#caches.values()) cache.stop();
    this.#caches.clear();
  }

  *#ofCluster(clusterId: string): Iterable<CollectionCache> {
    for (const cache of this.#caches.values()) if (cache.clusterId === clusterId) yield cache;
  }

  #dropCluster(clusterId: string): void {
    for (const key of this.#agentRights.keys())
      if (key.startsWith(`${clusterId}\u0000`)) this.#agentRights.delete(key);
    for (const [key, cache] of this.#caches) {
      if (cache.clusterId !== clusterId) continue;
      cache.stop();
      this.#caches.delete(key);
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, cache] of this.#caches) {
      // A cluster this replica no longer owns (its own Lease lapsed, say) goes too.
      if (now - cache.lastReadAt < this.#idleMs && this.#runsHere(cache.clusterId)) continue;
      cache.stop();
      this.#caches.delete(key);
    }
  }
}

function cacheKey(clusterId: string, ref: CollectionRef): string {
  return `${clusterId}\u0000${collectionRoot(ref)}`;
}
