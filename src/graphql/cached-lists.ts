import { cachedTargetOf } from '../cache/cached-collections.ts';
import type { ClusterList } from './cluster-lists.ts';
import type { GraphQLContext } from './context.ts';
import type { ResourceFilterInput } from './fan-out.ts';

/**
 * A cluster's list answered from the gateway's watch-backed caches (docs/list-cache.md), or
 * undefined when it must go live: caches off, a selector (the apiserver applies those), a
 * collection not cached, a person the cluster does not let list it all, a cache not in service.
 */
export async function listFromCache(
  context: GraphQLContext,
  clusterId: string,
  path: string,
  filter: ResourceFilterInput | null | undefined,
): Promise<ClusterList | undefined> {
  if (!context.listCaches || filter?.labelSelector || filter?.fieldSelector) return undefined;
  const target = cachedTargetOf(path);
  if (!target) return undefined;
  const items = await context.listCaches.answer(context.identityHeaders, clusterId, target);
  return items && { items };
}
