import { cachedTargetOf } from '../cache/cached-collections.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseLabelSelector } from '../kube/label-selector.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { GraphQLContext } from './context.ts';
import type { ResourceFilterInput } from './fan-out.ts';
import type { SortSpec } from './sort.ts';

/** A cluster's list from a cache: its items in the asked order, and when its copy went stale, if it did. */
export type CachedList =
  | { readonly items: readonly ResourceItem[]; readonly order: string; readonly staleSince?: Date }
  | { readonly error: GatewayError };

/**
 * A cluster's list answered from the gateway's watch-backed caches (docs/list-cache.md),
 * already in `sort`'s order, or undefined when it must go live: caches off, a field selector
 * or a label selector the gateway does not parse exactly (the apiserver applies those), a
 * collection never cached, a person the cluster does not let list it all, an agent that may
 * not read it, a cache not in service (unless `allowStale` finds a copy the person may see).
 */
export async function listFromCache(
  context: GraphQLContext,
  clusterId: string,
  path: string,
  filter: ResourceFilterInput | null | undefined,
  sort: SortSpec,
  allowStale: boolean,
): Promise<CachedList | undefined> {
  if (!context.listCaches || filter?.fieldSelector) return undefined;
  const matches = filter?.labelSelector ? parseLabelSelector(filter.labelSelector) : undefined;
  if (filter?.labelSelector && !matches) return undefined;
  const target = cachedTargetOf(path);
  if (!target) return undefined;
  const answer = await context.listCaches.answer(context.identity, clusterId, target, { allowStale });
  if (!answer) return undefined;
  if (answer === 'filling') {
    return {
      error: new GatewayError(
        'CLUSTER_TIMEOUT',
        `cluster ${clusterId}: no answer within ${CLUSTER_TIMEOUT_MS} ms: the gateway is still listing this cluster's ${target.ref.resource}`,
        { clusterId },
      ),
    };
  }
  const { cache, staleSince } = answer;
  const ordered = sort.isDefault
    ? cache.items(target.namespace)
    : cache.itemsInOrder(sort.key, sort.compare, target.namespace);
  const items = matches ? ordered.filter((item) => matches(item.labels)) : ordered;
  return { items, order: sort.key, staleSince };
}
