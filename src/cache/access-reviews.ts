import { type Identity, identityKey } from '../kube/identity.ts';
import type { AccessAttributes, KubeClient } from '../kube/kube-client.ts';

/** How long a cluster's answer about a person is reused (docs/list-cache.md). */
export const ACCESS_REVIEW_TTL_MS = 10_000;
/** Answers kept at most; the oldest go first. */
const MAX_ANSWERS = 100_000;
/**
 * How old a cluster's last yes may be for a copy it can no longer be asked about to be
 * served to that person (`allowStale`, docs/list-cache.md): past it, nothing is served.
 */
export const STALE_ACCESS_MAX_AGE_MS = 5 * 60_000;

interface Answer {
  readonly allowed: Promise<boolean | undefined>;
  readonly at: number;
  /** A newer answer is being asked for while this one is still served. */
  refreshing?: boolean;
}

/**
 * Whether a person may list a collection on a cluster, as the cluster itself answers a
 * SelfSubjectAccessReview made as that person; answers are reused for a few seconds.
 * Undefined means the cluster could not say (the caller then takes the live path).
 */
export class AccessReviews {
  readonly #kube: KubeClient;
  readonly #ttlMs: number;
  readonly #answers = new Map<string, Answer>();
  /** When each (person, cluster, collection, namespace) last had a yes; a no removes it. */
  readonly #lastYes = new Map<string, number>();

  constructor(kube: KubeClient, ttlMs = ACCESS_REVIEW_TTL_MS) {
    this.#kube = kube;
    this.#ttlMs = ttlMs;
  }

  mayList(
    identity: Identity,
    clusterId: string,
    resource: string,
    namespace?: string,
    group = '',
  ): Promise<boolean | undefined> {
    const key = reviewKey(identity, clusterId, resource, namespace, group);
    const now = Date.now();
    const known = this.#answers.get(key);
    if (known && now - known.at < this.#ttlMs) {
      // Past half its life, an answer in use is renewed in the background, so that people
      // who keep querying never wait for a review; none is served past its TTL.
      if (now - known.at > this.#ttlMs / 2 && !known.refreshing) {
        known.refreshing = true;
        // Dated when asked, not when answered: the answer is no newer than that.
        void this.#review(identity, clusterId, resource, namespace, group, key).then((answer) => {
          if (answer !== undefined) this.#remember(key, Promise.resolve(answer), now);
        });
      }
      return known.allowed;
    }
    if (known) this.#answers.delete(key);
    const allowed = this.#review(identity, clusterId, resource, namespace, group, key);
    this.#remember(key, allowed, now);
    // A failed review is not remembered: the next query asks again.
    void allowed.then((answer) => {
      if (answer === undefined && this.#answers.get(key)?.allowed === allowed) this.#answers.delete(key);
    });
    return allowed;
  }

  #remember(key: string, allowed: Promise<boolean | undefined>, at: number): void {
    this.#answers.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#answers.set(key, { allowed, at });
    if (this.#answers.size > MAX_ANSWERS) {
      const oldest = this.#answers.keys().next().value;
      if (oldest !== undefined) this.#answers.delete(oldest);
    }
  }

  /**
   * Whether the cluster's last yes to this person for this collection is at most
   * `STALE_ACCESS_MAX_AGE_MS` old (and no no came since): who may be served a copy that
   * cluster cannot be asked about now.
   */
  saidYesRecently(
    identity: Identity,
    clusterId: string,
    resource: string,
    namespace?: string,
    group = '',
  ): boolean {
    const at = this.#lastYes.get(reviewKey(identity, clusterId, resource, namespace, group));
    return at !== undefined && Date.now() - at <= STALE_ACCESS_MAX_AGE_MS;
  }

  async #review(
    identity: Identity,
    clusterId: string,
    resource: string,
    namespace: string | undefined,
    group: string,
    key: string,
  ): Promise<boolean | undefined> {
    const askedAt = Date.now();
    const answer = await reviewAccess(this.#kube, identity, clusterId, {
      verb: 'list',
      group,
      resource,
      namespace,
    });
    if (answer === true) {
      this.#lastYes.delete(key); // re-inserted last: the Map's order is the eviction order
      this.#lastYes.set(key, askedAt);
      if (this.#lastYes.size > MAX_ANSWERS) {
        const oldest = this.#lastYes.keys().next().value;
        if (oldest !== undefined) this.#lastYes.delete(oldest);
      }
    } else if (answer === false) this.#lastYes.delete(key);
    return answer;
  }
}

function reviewKey(
  identity: Identity,
  clusterId: string,
  resource: string,
  namespace: string | undefined,
  group: string,
): string {
  return JSON.stringify([identityKey(identity), clusterId, group, resource, namespace ?? '']);
}

/**
 * Asks a cluster, as `identity`, whether they may do something there: a
 * SelfSubjectAccessReview through the tunnel. Undefined when the cluster could not answer.
 */
export async function reviewAccess(
  kube: KubeClient,
  identity: Identity,
  clusterId: string,
  attributes: AccessAttributes,
): Promise<boolean | undefined> {
  try {
    return await kube.mayI({ clusterId, as: identity }, attributes);
  } catch {
    return undefined;
  }
}
