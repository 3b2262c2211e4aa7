import type DataLoader from 'dataloader';
import type { GatewayAdmin } from '../admin/gateway-admin.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SignInSession } from '../auth/api-tokens.ts';
import type { Principal } from '../auth/principal.ts';
import type { AccessReviews } from '../cache/access-reviews.ts';
import type { StatsSource } from '../cache/cluster-stats.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { GatewayError } from '../errors/gateway-error.ts';
import type { PersonIdentity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { AnswerBudget } from './answer-budget.ts';
import type { ClusterList, ListRequest } from './cluster-lists.ts';
import type { OwnerAsks } from './owner-asks.ts';
import type { SharedWatches } from './shared-watches.ts';

/** What every resolver receives: built once per request (or subscription) by the gateway. */
export interface GraphQLContext {
  /** Time the request arrived, for consistent timestamps within one answer. */
  readonly receivedAt: Date;
  readonly principal: Principal;
  /** The OIDC sign-in the caller's token belongs to: tokens they make live no longer. */
  readonly session: SignInSession | undefined;
  /** Who the caller is in every cluster: each call made for them runs as this. */
  readonly identity: PersonIdentity;
  readonly registry: ClusterRegistry;
  /** The gateway's own administration (clusters, tokens), shared with the REST API. */
  readonly admin: GatewayAdmin;
  readonly kube: KubeClient;
  /** Downstream watches shared by subscribers that may watch and start from now. */
  readonly sharedWatches: SharedWatches;
  /** One per request: batches and de-duplicates list calls to clusters. */
  readonly lists: DataLoader<ListRequest, ClusterList, string>;
  /** Cluster stats, kept from the caches of nodes and pods (see stats-access.ts for who may read them). */
  readonly stats: StatsSource;
  /** Where changes made through the API are recorded. */
  readonly audit: AuditLog;
  /** Whether people may list collections, as each cluster answers (reused briefly). */
  readonly reviews: AccessReviews;
  /** Watch-backed copies of some collections that lists are answered from; absent when switched off. */
  readonly listCaches: ListCaches | undefined;
  /** With replicas: asks each cluster's owner replica for what its caches answer (docs/replicas.md §6). */
  readonly owners: OwnerAsks | undefined;
  /** Undelivered messages a subscriber may have before it is ended. */
  readonly maxSubscriberQueue: number;
  /**
   * The bytes of objects this query or mutation may still answer with; undefined for a
   * subscription, whose every message is an answer of its own.
   */
  readonly answerBudget: AnswerBudget | undefined;
  /** Per-cluster failures, added to the answer's errors beside the data. */
  readonly clusterErrors: GatewayError[];
  /** Clusters answered from a copy no longer kept current (allowStale), and since when: the answer's `extensions.stale`. */
  readonly staleClusters: Map<string, string>;
}
