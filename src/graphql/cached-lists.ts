import { cachedTargetOf } from '../cache/cached-collections.ts';
import { parseLabelSelector } from '../cache/label-selector.ts';
import { CLUSTER_TIMEOUT_MS, type ClusterList, clusterError } from './cluster-lists.ts';
import type { GraphQLContext } from './context.ts';
import type { ResourceFilterInput } from './fan-out.ts';

/**
 * A cluster's list answered from the gateway's watch-backed caches (docs/list-cache.md), or
 * undefined when it must go live: caches off, a field selector or a label selector the gateway
 * does not parse exactly (the apiserver applies those), a collection not cached, a person the
 * cluster does not let list it all, a cache not in service.
 */
export async function listFromCache(
  context: GraphQLContext,
  clusterId: string,
  path: string,
  filter: ResourceFilterInput | null | undefined,
): Promise<ClusterList | undefined> {
  if (!context.listCaches || filter?.fieldSelector) return undefined;
  const matches = filter?.labelSelector ? parseLabelSelector(filter.labelSelector) : undefined;
  if (filter?.labelSelector && !matches) return undefined;
  const target = cachedTargetOf(path);
  if (!target) return undefined;
  const items = await context.listCaches.answer(context.identityHeaders, clusterId, target);
  if (!items) return undefined;
  if (items === 'filling') {
    return {
      error: clusterError(
        clusterId,
        'CLUSTER_TIMEOUT',
        null,
        `no answer within ${CLUSTER_TIMEOUT_MS} ms: the gateway is still listing this cluster's ${target.collection}`,
      ),
    };
  }
  return { items: matches ? items.filter((item) => matches(item.object.metadata?.labels)) : items };
}
