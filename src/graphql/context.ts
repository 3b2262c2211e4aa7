import type DataLoader from 'dataloader';
import type { GraphQLError } from 'graphql';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { Principal } from '../auth/principal.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterClient } from '../clusters/cluster-client.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { ClusterList, ListRequest } from './cluster-lists.ts';
import type { SharedWatches } from './shared-watches.ts';

/** What every resolver receives: built once per request (or subscription) by the gateway. */
export interface GraphQLContext {
  /** Time the request arrived, for consistent timestamps within one answer. */
  readonly receivedAt: Date;
  readonly principal: Principal;
  /** Impersonation headers of the caller, for every downstream call. */
  readonly identityHeaders: readonly (readonly [string, string])[];
  readonly registry: ClusterRegistry;
  readonly tokens: ApiTokens;
  /** The install URL (for kubectl apply -f) that carries a registration token. */
  readonly installUrl: (registrationToken: string) => string;
  readonly clusterClient: ClusterClient;
  /** Downstream watches shared by subscribers that may watch and start from now. */
  readonly sharedWatches: SharedWatches;
  /** One per request: batches and de-duplicates list calls to clusters. */
  readonly lists: DataLoader<ListRequest, ClusterList, string>;
  /** Watch-backed copies of some collections; absent when switched off. */
  readonly listCaches: ListCaches | undefined;
  /** Undelivered messages a subscriber may have before it is ended. */
  readonly maxSubscriberQueue: number;
  /** Per-cluster failures, added to the answer's errors beside the data. */
  readonly clusterErrors: GraphQLError[];
}
