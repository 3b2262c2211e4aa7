import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { Identity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { Logger } from '../shared/log/logger.ts';
import type { AccessReviews } from './access-reviews.ts';
import type { CachedCollection, CachedTarget } from './cached-collections.ts';
import { CollectionCache } from './collection-cache.ts';

/** A cache nobody read for this long is stopped. */
export const CACHE_IDLE_MS = 15 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;

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
  readonly #caches = new Map<string, CollectionCache>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #onRemoved = (clusterId: string) => this.#dropCluster(clusterId);
  readonly #onConnected = (clusterId: string) => {
    for (const cache of this.#ofCluster(clusterId)) cache.wake();
  };
  readonly #registry: ClusterRegistry;
  readonly #connections: ClusterConnections;

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
   * collection (or namespace) and the cache is in service; undefined means go live.
   * 'filling' means the cache's first list is still under way after the ready timeout: a
   * live list beside it would only double the load on a slow cluster, so the caller reports
   * a timeout instead, and the next query finds the cache filled.
   */
  async answer(
    identity: Identity,
    clusterId: string,
    target: CachedTarget,
  ): Promise<readonly ResourceItem[] | 'filling' | undefined> {
    const allowed = await this.#reviews.mayList(identity, clusterId, target.collection, target.namespace);
    if (allowed !== true) return undefined;
    const cache = this.cacheFor(clusterId, target.collection);
    if (!(await cache.ready(this.#readyTimeoutMs))) return cache.filling ? 'filling' : undefined;
    this.#answered++;
    return cache.items(target.namespace);
  }

  /** The cache of a cluster's collection, started if it is not running. */
  cacheFor(clusterId: string, collection: CachedCollection): CollectionCache {
    const key = `${clusterId}\u0000${collection}`;
    let cache = this.#caches.get(key);
    if (!cache) {
      cache = new CollectionCache(this.#kube, clusterId, collection, this.#log);
      this.#caches.set(key, cache);
    }
    return cache;
  }

  /** How many caches run and how many objects they hold (for metrics and benchmarks). */
  stats(): { caches: number; synced: number; objects: number; answered: number } {
    let synced = 0;
    let objects = 0;
    for (const cache of this.#caches.values()) {
      if (cache.synced) synced++;
      objects += cache.size;
    }
    return { caches: this.#caches.size, synced, objects, answered: this.#answered };
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
    for (const [key, cache] of this.#caches) {
      if (cache.clusterId !== clusterId) continue;
      cache.stop();
      this.#caches.delete(key);
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, cache] of this.#caches) {
      if (now - cache.lastReadAt < this.#idleMs) continue;
      cache.stop();
      this.#caches.delete(key);
    }
  }
}
