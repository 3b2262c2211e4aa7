import type { Cluster } from '../clusters/cluster.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';

/**
 * A cluster's status as it changes, for one subscriber. At most one update per cluster waits
 * (the newest): a subscriber that does not read holds one record per cluster, not one per
 * change, however fast clusters come and go.
 */
export class StatusFeed implements AsyncIterableIterator<{ clusterStatus: Cluster }> {
  readonly #registry: ClusterRegistry;
  readonly #pending = new Map<string, Cluster>();
  readonly #onChange = (cluster: Cluster) => {
    this.#pending.delete(cluster.clusterId); // re-inserted last: updates leave in order of change
    this.#pending.set(cluster.clusterId, cluster);
    this.#wake?.();
  };
  readonly #onRemoved = (clusterId: string) => {
    this.#pending.delete(clusterId);
  };
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(registry: ClusterRegistry) {
    this.#registry = registry;
    // One listener per subscriber is expected here, thousands of them; each is removed on return.
    registry.setMaxListeners(0);
    registry.on('change', this.#onChange);
    registry.on('removed', this.#onRemoved);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<{ clusterStatus: Cluster }> {
    return this;
  }

  /** Updates waiting to be read (tests look). */
  get pending(): number {
    return this.#pending.size;
  }

  async next(): Promise<IteratorResult<{ clusterStatus: Cluster }>> {
    while (!this.#closed) {
      const first = this.#pending.entries().next();
      if (!first.done) {
        const [clusterId, cluster] = first.value;
        this.#pending.delete(clusterId);
        return { done: false, value: { clusterStatus: cluster } };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<{ clusterStatus: Cluster }>> {
    this.#closed = true;
    this.#registry.off('change', this.#onChange);
    this.#registry.off('removed', this.#onRemoved);
    this.#pending.clear();
    this.#wake?.();
    return { done: true, value: undefined };
  }
}
