import type { ClusterStatsValue } from '../cache/cluster-stats.ts';
import type { GraphQLContext } from './context.ts';
import { requireStatsAccess } from './stats-access.ts';

/** How often a stats subscription looks for changes. */
export const STATS_PUSH_INTERVAL_MS = 5_000;

export interface StatsUpdate {
  readonly clusterId: string;
  readonly stats: ClusterStatsValue;
}

/**
 * Pushes a cluster's stats when they differ from what this subscriber last got. At most one
 * pending update per cluster (the newest), so a slow subscriber costs no more memory than a
 * fast one: updates are debounced by the check interval and coalesced per cluster.
 */
export class StatsFeed implements AsyncIterableIterator<StatsUpdate> {
  readonly #context: GraphQLContext;
  readonly #clusterIds: readonly string[] | undefined;
  readonly #lastSent = new Map<string, string>();
  readonly #pending = new Map<string, StatsUpdate>();
  readonly #timer: NodeJS.Timeout;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(context: GraphQLContext, clusterIds: readonly string[] | undefined) {
    this.#context = context;
    this.#clusterIds = clusterIds;
    this.#timer = setInterval(() => void this.#check(), STATS_PUSH_INTERVAL_MS);
    void this.#check();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StatsUpdate> {
    return this;
  }

  async #check(): Promise<void> {
    const clusters = this.#context.registry
      .list()
      .filter((c) => c.state === 'Active' && (!this.#clusterIds || this.#clusterIds.includes(c.clusterId)));
    await Promise.all(
      clusters.map(async ({ clusterId }) => {
        try {
          await requireStatsAccess(this.#context, clusterId);
          const stats = await this.#context.stats.of(clusterId);
          const text = JSON.stringify(stats);
          if (this.#lastSent.get(clusterId) === text) return;
          this.#lastSent.set(clusterId, text);
          this.#pending.set(clusterId, { clusterId, stats });
          this.#wake?.();
        } catch {
          // a cluster that cannot be read now is tried again at the next check
        }
      }),
    );
  }

  async next(): Promise<IteratorResult<StatsUpdate>> {
    while (!this.#closed) {
      const first = this.#pending.entries().next();
      if (!first.done) {
        const [clusterId, update] = first.value;
        this.#pending.delete(clusterId);
        return { done: false, value: update };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<StatsUpdate>> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#wake?.();
    return { done: true, value: undefined };
  }
}
