import type { ClusterClient } from '../clusters/cluster-client.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** How long a cluster's answer about a person is reused (docs/list-cache.md). */
export const ACCESS_REVIEW_TTL_MS = 10_000;
/** Answers kept at most; the oldest go first. */
const MAX_ANSWERS = 100_000;

interface Answer {
  readonly allowed: Promise<boolean | undefined>;
  readonly at: number;
  /** A newer answer is being asked for while this one is still served. */
  refreshing?: boolean;
}

interface AccessReview {
  status?: { allowed?: boolean };
}

/**
 * Whether a person may list a collection on a cluster, as the cluster itself answers a
 * SelfSubjectAccessReview made as that person; answers are reused for a few seconds.
 * Undefined means the cluster could not say (the caller then takes the live path).
 */
export class AccessReviews {
  readonly #client: ClusterClient;
  readonly #ttlMs: number;
  readonly #answers = new Map<string, Answer>();
  /** A request asks about one identity for every cluster in scope: its key is made once. */
  readonly #identityKeys = new WeakMap<HeaderPairs, string>();

  constructor(client: ClusterClient, ttlMs = ACCESS_REVIEW_TTL_MS) {
    this.#client = client;
    this.#ttlMs = ttlMs;
  }

  mayList(
    identity: HeaderPairs,
    clusterId: string,
    resource: string,
    namespace?: string,
  ): Promise<boolean | undefined> {
    let identityKey = this.#identityKeys.get(identity);
    if (identityKey === undefined) {
      identityKey = JSON.stringify(identity);
      this.#identityKeys.set(identity, identityKey);
    }
    const key = JSON.stringify([identityKey, clusterId, resource, namespace ?? '']);
    const now = Date.now();
    const known = this.#answers.get(key);
    if (known && now - known.at < this.#ttlMs) {
      // Past half its life, an answer in use is renewed in the background, so that people
      // who keep querying never wait for a review; none is served past its TTL.
      if (now - known.at > this.#ttlMs / 2 && !known.refreshing) {
        known.refreshing = true;
        // Dated when asked, not when answered: the answer is no newer than that.
        void this.#review(identity, clusterId, resource, namespace).then((answer) => {
          if (answer !== undefined) this.#remember(key, Promise.resolve(answer), now);
        });
      }
      return known.allowed;
    }
    if (known) this.#answers.delete(key);
    const allowed = this.#review(identity, clusterId, resource, namespace);
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

  #review(
    identity: HeaderPairs,
    clusterId: string,
    resource: string,
    namespace: string | undefined,
  ): Promise<boolean | undefined> {
    return reviewAccess(this.#client, identity, clusterId, { verb: 'list', resource, namespace });
  }
}

/**
 * Asks a cluster, as the person `identity` names, whether they may do `verb` on a core
 * resource (in a namespace, or across all): a SelfSubjectAccessReview through the tunnel.
 * Undefined when the cluster could not answer.
 */
export async function reviewAccess(
  client: ClusterClient,
  identity: HeaderPairs,
  clusterId: string,
  attributes: { readonly verb: string; readonly resource: string; readonly namespace?: string },
): Promise<boolean | undefined> {
  try {
    const { status, body } = await client.json<AccessReview>(clusterId, {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      headers: [['Content-Type', 'application/json'], ...identity],
      body: Buffer.from(
        JSON.stringify({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { ...attributes, group: '' } },
        }),
      ),
    });
    return status === 201 ? body.status?.allowed === true : undefined;
  } catch {
    return undefined;
  }
}
