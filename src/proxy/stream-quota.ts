import { GatewayError } from '../errors/gateway-error.ts';

/** Concurrent passthrough requests one person may have on one cluster (default). */
export const MAX_STREAMS_PER_PERSON_PER_CLUSTER = 100;

/**
 * Counts each person's open passthrough requests per cluster, so that one person holding
 * watches open cannot take a cluster's tunnel from everyone else (beyond the cap they are
 * answered 429 with Retry-After). Entries go when their count falls to zero: memory follows
 * what is open, not who has ever called.
 */
export class StreamQuota {
  readonly #limit: number;
  readonly #open = new Map<string, number>();

  constructor(limit = MAX_STREAMS_PER_PERSON_PER_CLUSTER) {
    this.#limit = limit;
  }

  /** Takes a slot or throws TOO_MANY_REQUESTS; the returned function gives it back (once). */
  acquire(principalId: string, clusterId: string): () => void {
    const key = `${principalId}\u0000${clusterId}`;
    const open = this.#open.get(key) ?? 0;
    if (open >= this.#limit) {
      throw new GatewayError(
        'TOO_MANY_REQUESTS',
        `you have ${open} requests open on cluster ${clusterId}, the most one person may have; close some (watches, log follows, exec sessions) and retry`,
        { clusterId, retryAfterSeconds: 1 },
      );
    }
    this.#open.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    };
  }

  /** People × clusters with a request open now (for metrics and tests). */
  get size(): number {
    return this.#open.size;
  }
}
