import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { withoutManagedFields } from '../cache/object-trim.ts';
import { type ClusterClient, ClusterUnavailableError } from '../clusters/cluster-client.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';
import type { KubernetesObject, ResourceItem } from './resource-item.ts';

/** One list call to one cluster. */
export interface ListRequest {
  readonly clusterId: string;
  /** API path of the collection, e.g. /api/v1/pods or /api/v1/namespaces/x/pods. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A cluster's answer: its items, or why there are none. */
export type ClusterList = { readonly items: readonly ResourceItem[] } | { readonly error: GraphQLError };

/** Page size of the list calls the gateway makes to each apiserver. */
const LIST_PAGE_SIZE = 500;
/** Upper bound of objects one cluster may contribute to one answer. */
const MAX_ITEMS_PER_CLUSTER = 50_000;
/** How long one cluster may take to answer a whole list. */
export const CLUSTER_TIMEOUT_MS = 10_000;
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

export function clusterError(
  clusterId: string,
  code: string,
  httpStatus: number | null,
  message: string,
): GraphQLError {
  return new GraphQLError(`cluster ${clusterId}: ${message}`, {
    extensions: { code, clusterId, httpStatus },
  });
}

async function listAll(
  client: ClusterClient,
  identity: HeaderPairs,
  request: ListRequest,
  deadline: number,
): Promise<ClusterList> {
  const items: ResourceItem[] = [];
  let continueToken = '';
  do {
    const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
    if (request.labelSelector) query.set('labelSelector', request.labelSelector);
    if (request.fieldSelector) query.set('fieldSelector', request.fieldSelector);
    if (continueToken) query.set('continue', continueToken);
    if (Date.now() > deadline)
      return {
        error: clusterError(
          request.clusterId,
          'CLUSTER_TIMEOUT',
          null,
          `no complete answer within ${CLUSTER_TIMEOUT_MS} ms`,
        ),
      };
    const { status, body } = await client.json<{
      items?: KubernetesObject[];
      metadata?: { continue?: string };
      message?: string;
    }>(request.clusterId, { method: 'GET', path: `${request.path}?${query}`, headers: identity });
    if (status !== 200) {
      const code =
        status === 403 ? 'CLUSTER_FORBIDDEN' : status === 404 ? 'RESOURCE_NOT_FOUND' : 'CLUSTER_ERROR';
      return { error: clusterError(request.clusterId, code, status, body.message ?? `answered ${status}`) };
    }
    for (const object of body.items ?? [])
      items.push({ clusterId: request.clusterId, object: withoutManagedFields(object) });
    if (items.length > MAX_ITEMS_PER_CLUSTER) {
      return {
        error: clusterError(
          request.clusterId,
          'TOO_MANY_OBJECTS',
          null,
          `more than ${MAX_ITEMS_PER_CLUSTER} objects; narrow the filter`,
        ),
      };
    }
    continueToken = body.metadata?.continue ?? '';
  } while (continueToken);
  return { items };
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
 * a cluster that fails or is slow becomes an error value, never a failed request.
 */
export function createListLoader(
  client: ClusterClient,
  identity: HeaderPairs,
): DataLoader<ListRequest, ClusterList, string> {
  return new DataLoader<ListRequest, ClusterList, string>(
    (requests) =>
      withConcurrency(requests, CLUSTER_CONCURRENCY, async (request) => {
        const deadline = Date.now() + CLUSTER_TIMEOUT_MS;
        try {
          return await Promise.race([
            listAll(client, identity, request, deadline),
            new Promise<ClusterList>((resolve) =>
              setTimeout(
                () =>
                  resolve({
                    error: clusterError(
                      request.clusterId,
                      'CLUSTER_TIMEOUT',
                      null,
                      `no answer within ${CLUSTER_TIMEOUT_MS} ms`,
                    ),
                  }),
                CLUSTER_TIMEOUT_MS,
              ).unref(),
            ),
          ]);
        } catch (error) {
          if (error instanceof ClusterUnavailableError) {
            const code = error.code === 'CLUSTER_NOT_FOUND' ? 'CLUSTER_NOT_FOUND' : 'CLUSTER_UNAVAILABLE';
            return {
              error: clusterError(
                request.clusterId,
                code,
                error.code === 'CLUSTER_NOT_FOUND' ? 404 : 503,
                error.message,
              ),
            };
          }
          return {
            error: clusterError(request.clusterId, 'CLUSTER_UNAVAILABLE', 503, (error as Error).message),
          };
        }
      }),
    { cacheKeyFn: keyOf },
  );
}
