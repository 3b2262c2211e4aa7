import DataLoader from 'dataloader';
import { asGatewayError, GatewayError } from '../errors/gateway-error.ts';
import type { Identity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import { withoutManagedFields } from '../kube/object-trim.ts';
import type { KubeObject } from '../kube/objects.ts';
import { liveItem, type ResourceItem } from '../kube/resource-item.ts';
import type { LiveLists } from './live-lists.ts';

/** One list call to one cluster. */
export interface ListRequest {
  readonly clusterId: string;
  /** API path of the collection, e.g. /api/v1/pods or /api/v1/namespaces/x/pods. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A cluster's answer: its items, or why there are none. */
export type ClusterList = { readonly items: readonly ResourceItem[] } | { readonly error: GatewayError };

/** How many clusters are asked at once within one request. */
const CLUSTER_CONCURRENCY = 16;

function keyOf(request: ListRequest): string {
  return JSON.stringify([
    request.clusterId,
    request.path,
    request.labelSelector ?? '',
    request.fieldSelector ?? '',
  ]);
}

function timedOut(clusterId: string): GatewayError {
  return new GatewayError(
    'CLUSTER_TIMEOUT',
    `cluster ${clusterId}: no answer within ${CLUSTER_TIMEOUT_MS} ms`,
    {
      clusterId,
    },
  );
}

async function listAll(kube: KubeClient, identity: Identity, request: ListRequest): Promise<ClusterList> {
  const { items } = await kube.listAll<KubeObject>(
    { clusterId: request.clusterId, as: identity },
    request.path,
    {
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
      deadline: Date.now() + CLUSTER_TIMEOUT_MS,
      each: withoutManagedFields,
    },
  );
  return { items: items.map((object) => liveItem(request.clusterId, object)) };
}

async function withConcurrency<T, R>(
  inputs: readonly T[],
  limit: number,
  work: (input: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, async () => {
      while (next < inputs.length) {
        const index = next++;
        results[index] = await work(inputs[index] as T);
      }
    }),
  );
  return results;
}

/**
 * A per-request loader of whole collections from clusters, as the caller: the same list
 * asked twice in one request is fetched once; clusters are asked in parallel (bounded);
 * a cluster that fails or is slow becomes an error value, never a failed request. With
 * `live`, identical lists in flight across requests are shared and each cluster's rate limit
 * is kept (live-lists.ts).
 */
export function createListLoader(
  kube: KubeClient,
  identity: Identity,
  live?: LiveLists,
): DataLoader<ListRequest, ClusterList, string> {
  const listOnce = (request: ListRequest) => listAll(kube, identity, request);
  const list = live
    ? (request: ListRequest) => live.list(identity, request, () => listOnce(request))
    : listOnce;
  return new DataLoader<ListRequest, ClusterList, string>(
    (requests) =>
      withConcurrency(requests, CLUSTER_CONCURRENCY, async (request) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          return await Promise.race([
            list(request),
            new Promise<ClusterList>((resolve) => {
              timer = setTimeout(() => resolve({ error: timedOut(request.clusterId) }), CLUSTER_TIMEOUT_MS);
              timer.unref();
            }),
          ]);
        } catch (error) {
          return { error: asGatewayError(error) };
        } finally {
          clearTimeout(timer);
        }
      }),
    { cacheKeyFn: keyOf },
  );
}
