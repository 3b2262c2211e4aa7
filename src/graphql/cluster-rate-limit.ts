import { GatewayError } from '../errors/gateway-error.ts';

/** Live lists per second the gateway makes to one cluster for queries, by default. */
export const DEFAULT_CLUSTER_LISTS_PER_SECOND = 20;
/** How long a list waits for its turn before it is refused with CLUSTER_THROTTLED. */
const MAX_WAIT_MS = 2_000;
/** Clusters tracked at most (a bucket is dropped once full again, so this bounds only bursts). */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** How often the limit bit, for metrics. */
export interface RateLimitCounts {
  /** Lists that waited for their turn. */
  readonly delayed: number;
  /** Lists refused after waiting MAX_WAIT_MS. */
  readonly refused: number;
}

/**
 * A token bucket per cluster for the live lists queries make (docs/list-cache.md,
 * "Protecting the clusters"): at most `perSecond` a second on average, bursts of as many;
 * a list past it waits its turn, up to 2 s, then the cluster is reported CLUSTER_THROTTLED
 * beside the others' data. Caches, access reviews and the passthrough are not counted here.
 */
export class ClusterRateLimit {
  readonly #perSecond: number;
  readonly #buckets = new Map<string, Bucket>();
  #delayed = 0;
  #refused = 0;

  constructor(perSecond = DEFAULT_CLUSTER_LISTS_PER_SECOND) {
    if (!(perSecond > 0)) throw new Error('the per-cluster rate must be above 0');
    this.#perSecond = perSecond;
  }

  get counts(): RateLimitCounts {
    return { delayed: this.#delayed, refused: this.#refused };
  }

  /** Resolves when `clusterId` may be asked once more; throws CLUSTER_THROTTLED past the wait. */
  async take(clusterId: string): Promise<void> {
    const now = Date.now();
    let bucket = this.#buckets.get(clusterId);
    if (!bucket) {
      bucket = { tokens: this.#perSecond, at: now };
      this.#buckets.set(clusterId, bucket);
      if (this.#buckets.size > MAX_BUCKETS) this.#dropFull(now);
    }
    bucket.tokens = Math.min(this.#perSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond);
    bucket.at = now;
    // A token is taken now even when the list must wait for it: those who come later queue behind.
    bucket.tokens -= 1;
    if (bucket.tokens >= 0) return;
    const waitMs = (-bucket.tokens / this.#perSecond) * 1000;
    if (waitMs > MAX_WAIT_MS) {
      bucket.tokens += 1;
      this.#refused++;
      throw new GatewayError(
        'CLUSTER_THROTTLED',
        `cluster ${clusterId}: the gateway makes at most ${this.#perSecond} live lists a second to one cluster; try again shortly`,
        { clusterId },
      );
    }
    this.#delayed++;
    await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
  }

  #dropFull(now: number): void {
    for (const [clusterId, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond >= this.#perSecond)
        this.#buckets.delete(clusterId);
    }
  }
}
