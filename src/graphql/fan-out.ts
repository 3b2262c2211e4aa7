import { GraphQLError } from 'graphql';
import { listFromCache } from './cached-lists.ts';
import type { ClusterList } from './cluster-lists.ts';
import type { GraphQLContext } from './context.ts';
import { type CursorKey, compareKeys, decodeCursor, encodeCursor } from './cursor.ts';
import { compareItems, itemKey, type ResourceItem } from './resource-item.ts';
import { visibleNamespaces } from './visible-namespaces.ts';

/** Which objects a query asks for (the ResourceFilter input). */
export interface ResourceFilterInput {
  readonly clusters?: readonly string[] | null;
  readonly namespace?: string | null;
  readonly labelSelector?: string | null;
  readonly fieldSelector?: string | null;
  readonly nameContains?: string | null;
}

export const MAX_PAGE_SIZE = 1000;
const MAX_SELECTOR_CHARS = 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The clusters a query covers: those named (each must exist), or every registered one. */
export function clustersInScope(
  context: GraphQLContext,
  filter: ResourceFilterInput | null | undefined,
): string[] {
  const all = context.registry.list().map((c) => c.clusterId);
  if (!filter?.clusters) return all;
  if (filter.clusters.length > 1000) throw badInput('at most 1000 clusters per query');
  const known = new Set(all);
  const chosen: string[] = [];
  for (const clusterId of new Set(filter.clusters)) {
    if (known.has(clusterId)) chosen.push(clusterId);
    else {
      context.clusterErrors.push(
        new GraphQLError(`cluster ${clusterId.slice(0, 64)}: not registered`, {
          extensions: { code: 'CLUSTER_NOT_FOUND', clusterId, httpStatus: 404 },
        }),
      );
    }
  }
  return chosen;
}

/** Checks the filter's free-text fields at the edge. */
export function validateFilter(filter: ResourceFilterInput | null | undefined): void {
  if (!filter) return;
  if (filter.namespace != null && !DNS_LABEL.test(filter.namespace))
    throw badInput('namespace must be a DNS label');
  for (const field of ['labelSelector', 'fieldSelector', 'nameContains'] as const) {
    const value = filter[field];
    if (value != null && value.length > MAX_SELECTOR_CHARS)
      throw badInput(`${field} is limited to ${MAX_SELECTOR_CHARS} characters`);
  }
}

/**
 * Lists a collection from every cluster in scope as the caller, in parallel; failed
 * clusters become errors beside the data. `pathFor` names the collection per cluster, or
 * returns a GraphQLError (e.g. an unknown kind there).
 */
export async function listAcross(
  context: GraphQLContext,
  filter: ResourceFilterInput | null | undefined,
  pathFor: (clusterId: string, namespace?: string) => Promise<string | GraphQLError>,
  options: { namespaced: boolean } = { namespaced: true },
): Promise<ResourceItem[]> {
  validateFilter(filter);
  // In cluster order, so that per-cluster lists (sorted by the apiserver or a cache) join
  // into the global order without a sort.
  const clusterIds = clustersInScope(context, filter).sort();
  const load = (clusterId: string, path: string) =>
    context.lists.load({
      clusterId,
      path,
      labelSelector: filter?.labelSelector ?? undefined,
      fieldSelector: filter?.fieldSelector ?? undefined,
    });
  const lists = await Promise.all(
    clusterIds.map(async (clusterId): Promise<ClusterList> => {
      const path = await pathFor(clusterId);
      if (path instanceof GraphQLError) return { error: path };
      const cached = await listFromCache(context, clusterId, path, filter);
      if (cached) return cached;
      const list = await load(clusterId, path);
      if (
        !('error' in list) ||
        list.error.extensions.httpStatus !== 403 ||
        filter?.namespace ||
        !options.namespaced
      )
        return list;
      // Not allowed across all namespaces: what is in the namespaces the caller is bound to.
      const namespaces = await visibleNamespaces(context, clusterId);
      if (namespaces.length === 0) return list;
      const perNamespace = await Promise.all(
        namespaces.map(async (namespace) => {
          const namespacedPath = await pathFor(clusterId, namespace.metadata?.name);
          return namespacedPath instanceof GraphQLError ? { items: [] } : load(clusterId, namespacedPath);
        }),
      );
      return { items: perNamespace.flatMap((l) => ('error' in l ? [] : l.items)) };
    }),
  );
  const items: ResourceItem[] = [];
  for (const list of lists) {
    if ('error' in list) context.clusterErrors.push(list.error);
    else items.push(...list.items);
  }
  const needle = filter?.nameContains;
  return needle ? items.filter((item) => (item.object.metadata?.name ?? '').includes(needle)) : items;
}

/** Items in the global (cluster, namespace, name) order, sorted only if they are not yet. */
function inKeyOrder(items: readonly ResourceItem[]): readonly ResourceItem[] {
  for (let i = 1; i < items.length; i++) {
    if (compareItems(items[i - 1] as ResourceItem, items[i] as ResourceItem) > 0)
      return [...items].sort(compareItems);
  }
  return items;
}

/** Index of the first item after `key` in sorted items. */
function indexAfter(sorted: readonly ResourceItem[], key: CursorKey): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(itemKey(sorted[middle] as ResourceItem), key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A Relay page of items in the global (cluster, namespace, name) order. */
export function paginate(
  items: readonly ResourceItem[],
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const size = first ?? 100;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw badInput(`first must be from 0 to ${MAX_PAGE_SIZE}`);
  const sorted = inKeyOrder(items);
  const start = after ? indexAfter(sorted, decodeCursor(after)) : 0;
  const page = sorted.slice(start, start + size);
  const edges = page.map((node) => ({ cursor: encodeCursor(itemKey(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: start + size < sorted.length, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: sorted.length,
  };
}
