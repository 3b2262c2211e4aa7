import { type CachedTarget, cachedTargetOf } from '../cache/cached-collections.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { kindProfile } from '../kube/kind-fields.ts';
import { parseLabelSelector } from '../kube/label-selector.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { GraphQLContext } from './context.ts';
import type { ResourceFilterInput } from './fan-out.ts';
import { OwnedItem } from './owner-pages.ts';
import type { GroupCount, OwnerQuestion } from './owner-wire.ts';
import type { RunWindow } from './pages.ts';
import type { SortSpec } from './sort.ts';

/** A cluster's list from a cache: its items in the asked order, and when its copy went stale, if it did. */
export type CachedList =
  | {
      readonly items: readonly ResourceItem[];
      readonly order: string;
      readonly staleSince?: Date;
      /** Set when the cluster's owner answered a window (docs/replicas.md §6). */
      readonly window?: RunWindow;
      /** Set when the cluster's owner answered counts. */
      readonly groups?: readonly GroupCount[];
    }
  | { readonly error: GatewayError };

/**
 * What the caller will make of a list, so that a cluster's owner replica can answer just that
 * (docs/replicas.md §6): one page after a cursor, or counts by some sort fields. A list
 * answered by this replica's own cache or live is whole, whatever the shape.
 */
export type ListShape =
  | { readonly kind: 'window'; readonly first: number; readonly after?: string }
  | { readonly kind: 'groups'; readonly by: readonly string[] };

function stillFilling(clusterId: string, target: CachedTarget): GatewayError {
  return new GatewayError(
    'CLUSTER_TIMEOUT',
    `cluster ${clusterId}: no answer within ${CLUSTER_TIMEOUT_MS} ms: the gateway is still listing this cluster's ${target.ref.resource}`,
    { clusterId },
  );
}

/**
 * A cluster's list answered from the gateway's watch-backed caches (docs/list-cache.md),
 * already in `sort`'s order, or undefined when it must go live: caches off, a field selector
 * or a label selector the gateway does not parse exactly (the apiserver applies those), a
 * collection never cached, a person the cluster does not let list it all, an agent that may
 * not read it, a cache not in service (unless `allowStale` finds a copy the person may see).
 * With replicas, a cluster owned by another replica is answered by that owner in `shape`
 * (without a shape, or when the owner cannot be asked, the list goes live).
 */
export async function listFromCache(
  context: GraphQLContext,
  clusterId: string,
  path: string,
  filter: ResourceFilterInput | null | undefined,
  sort: SortSpec,
  allowStale: boolean,
  shape?: ListShape,
): Promise<CachedList | undefined> {
  if (!context.listCaches || filter?.fieldSelector) return undefined;
  const matches = filter?.labelSelector ? parseLabelSelector(filter.labelSelector) : undefined;
  if (filter?.labelSelector && !matches) return undefined;
  const target = cachedTargetOf(path);
  if (!target) return undefined;
  const { owners } = context;
  owners?.noteRead(clusterId, target.ref);
  if (owners && !owners.runsHere(clusterId)) {
    if (!shape) return undefined;
    return fromOwner(context, clusterId, path, target, filter, sort, allowStale, shape);
  }
  const answer = await context.listCaches.answer(context.identity, clusterId, target, { allowStale });
  if (!answer) return undefined;
  if (answer === 'filling') return { error: stillFilling(clusterId, target) };
  const { cache, staleSince } = answer;
  const ordered = sort.isDefault
    ? cache.items(target.namespace)
    : cache.itemsInOrder(sort.key, sort.compare, target.namespace);
  const items = matches ? ordered.filter((item) => matches(item.labels)) : ordered;
  return { items, order: sort.key, staleSince };
}

/** The list as the cluster's owner replica answers it from its cache, or undefined to go live. */
async function fromOwner(
  context: GraphQLContext,
  clusterId: string,
  path: string,
  target: CachedTarget,
  filter: ResourceFilterInput | null | undefined,
  sort: SortSpec,
  allowStale: boolean,
  shape: ListShape,
): Promise<CachedList | undefined> {
  const common = {
    path,
    labelSelector: filter?.labelSelector ?? undefined,
    nameContains: filter?.nameContains ?? undefined,
    allowStale,
  };
  const question: OwnerQuestion =
    shape.kind === 'window'
      ? {
          ask: 'window',
          ...common,
          sort: sort.keys.map((key) => [key.field, key.descending ? 'DESC' : 'ASC'] as const),
          after: shape.after,
          first: shape.first,
        }
      : { ask: 'groups', ...common, groupBy: shape.by };
  const answer = await context.owners?.ask(clusterId, question, context.identity);
  if (!answer || answer.status === 'live') return undefined;
  const staleSince = 'staleSince' in answer && answer.staleSince ? new Date(answer.staleSince) : undefined;
  switch (answer.status) {
    case 'filling':
      return { error: stillFilling(clusterId, target) };
    case 'error':
      return { error: new GatewayError(answer.code, answer.message, { clusterId }) };
    case 'window': {
      const profile = kindProfile(target.ref.group, target.ref.resource);
      const source = { path, allowStale };
      if (answer.keys.some((key) => key.length !== 3 + profile.fields.length)) return undefined;
      return {
        items: answer.keys.map((key) => new OwnedItem(clusterId, key, profile, source)),
        order: sort.key,
        staleSince,
        window: { totalCount: answer.totalCount, afterCursor: answer.afterCursor },
      };
    }
    case 'groups':
      return { items: [], order: sort.key, staleSince, groups: answer.groups };
    default:
      return undefined;
  }
}
