import { cachedTargetOf } from '../cache/cached-collections.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseLabelSelector } from '../kube/label-selector.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import type { ClusterList } from './cluster-lists.ts';
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
  const items = await context.listCaches.answer(context.identity, clusterId, target);
  if (!items) return undefined;
  if (items === 'filling') {
    return {
      error: new GatewayError(
        'CLUSTER_TIMEOUT',
        `cluster ${clusterId}: no answer within ${CLUSTER_TIMEOUT_MS} ms: the gateway is still listing this cluster's ${target.collection}`,
        { clusterId },
      ),
    };
  }
  return { items: matches ? items.filter((item) => matches(item.object.metadata?.labels)) : items };
}
