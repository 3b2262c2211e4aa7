import type { AccessReviews } from '../cache/access-reviews.ts';
import { cachedTargetOf } from '../cache/cached-collections.ts';
import { asGatewayError } from '../errors/gateway-error.ts';
import { type Identity, identityKey } from '../kube/identity.ts';
import type { ClusterList, ListRequest } from './cluster-lists.ts';
import type { ClusterRateLimit } from './cluster-rate-limit.ts';

interface InFlight {
  readonly identityKey: string;
  readonly answer: Promise<ClusterList>;
}

/** Requests in flight at most; past it, lists are made without being shared. */
const MAX_IN_FLIGHT = 10_000;

/**
 * The live lists queries make, across all requests (docs/list-cache.md, "Protecting the
 * clusters"): an identical list (cluster, path, selectors) already in flight is not made
 * again. Who made it shares it at once; anyone else only once their cluster says, as
 * themselves, that they may list that collection there (the answer is then the same for
 * both: list rights have no finer grain than the namespace), else they make their own. A
 * failed list is never shared. Every list made counts against the cluster's rate limit.
 */
export class LiveLists {
  readonly #reviews: AccessReviews;
  readonly #limit: ClusterRateLimit;
  readonly #inFlight = new Map<string, InFlight>();
  #shared = 0;

  constructor(reviews: AccessReviews, limit: ClusterRateLimit) {
    this.#reviews = reviews;
    this.#limit = limit;
  }

  /** Lists answered by another's list in flight, since start (for metrics). */
  get shared(): number {
    return this.#shared;
  }

  get rateLimit(): ClusterRateLimit {
    return this.#limit;
  }

  /** The answer to `request` for `identity`: shared when an identical list is in flight, else `make`. */
  async list(
    identity: Identity,
    request: ListRequest,
    make: () => Promise<ClusterList>,
  ): Promise<ClusterList> {
    const key = JSON.stringify([
      request.clusterId,
      request.path,
      request.labelSelector ?? '',
      request.fieldSelector ?? '',
    ]);
    const who = identityKey(identity);
    const running = this.#inFlight.get(key);
    if (running && (running.identityKey === who || (await this.#mayShare(identity, request)))) {
      const answer = await running.answer;
      if (!('error' in answer)) {
        this.#shared++;
        return answer;
      }
    }
    const answer = this.#limit
      .take(request.clusterId)
      .then(make)
      .catch((error: unknown): ClusterList => ({ error: asGatewayError(error) }));
    if (!this.#inFlight.has(key) && this.#inFlight.size < MAX_IN_FLIGHT) {
      const entry = { identityKey: who, answer };
      this.#inFlight.set(key, entry);
      const forget = () => {
        if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      };
      answer.then(forget, forget);
    }
    return answer;
  }

  async #mayShare(identity: Identity, request: ListRequest): Promise<boolean> {
    const target = cachedTargetOf(request.path);
    if (!target) return false;
    const { ref, namespace } = target;
    return (
      (await this.#reviews.mayList(identity, request.clusterId, ref.resource, namespace, ref.group)) === true
    );
  }
}
