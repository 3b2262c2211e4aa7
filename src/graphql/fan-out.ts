import { asGatewayError, badInput, GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject } from '../kube/objects.ts';
import { liveItem, type ResourceItem } from '../kube/resource-item.ts';
import { type CachedList, type ListShape, listFromCache } from './cached-lists.ts';
import type { ClusterList } from './cluster-lists.ts';
import type { GraphQLContext } from './context.ts';
import { decodeCursor } from './cursor.ts';
import { type ClusterRun, windowAfter } from './pages.ts';
import { DEFAULT_SORT, type SortSpec } from './sort.ts';
import { visibleNamespaces } from './visible-namespaces.ts';

export { type ClusterRun, MAX_PAGE_SIZE, pageShape, paginate } from './pages.ts';

/** Which objects a query asks for (the ResourceFilter input). */
export interface ResourceFilterInput {
  readonly clusters?: readonly string[] | null;
  readonly namespace?: string | null;
  readonly labelSelector?: string | null;
  readonly fieldSelector?: string | null;
  readonly nameContains?: string | null;
}

const MAX_SELECTOR_CHARS = 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

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
        new GatewayError('CLUSTER_NOT_FOUND', `cluster ${clusterId.slice(0, 64)}: not registered`, {
          clusterId,
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

export interface ListAcrossOptions {
  /** The order the caller will page in: caches answer in it without sorting per query. */
  readonly sort?: SortSpec;
  /** Answer a cluster out of reach from the cache's last copy (docs/list-cache.md). */
  readonly allowStale?: boolean;
  /** A namespaced kind: who may not list it everywhere sees it in the namespaces they are bound to. */
  readonly namespaced: boolean;
  /** A cluster-scoped kind: what a caller the cluster refused may still see (else the refusal). */
  readonly whenRefused?: (clusterId: string) => Promise<readonly KubeObject[]>;
  /**
   * What the caller makes of the lists (a page, counts), so that a cluster owned by another
   * replica is answered by its owner in that shape (docs/replicas.md §6); without it, such a
   * cluster is listed live.
   */
  readonly shape?: ListShape;
}

/** A cluster's list as loaded: whole (from a cache here, or live), or as its owner answered it. */
type Loaded = ClusterList &
  Partial<Pick<Extract<CachedList, { items: unknown }>, 'order' | 'staleSince' | 'window' | 'groups'>>;

/**
 * One cluster's lists of several namespaces as one: windows of the owner and whole lists
 * (made windows of the same page) are summed, counts put side by side.
 */
function combineNamespaces(
  lists: readonly Loaded[],
  options: ListAcrossOptions,
  sort: SortSpec,
  needle: string | null | undefined,
): Loaded {
  const answered = lists.filter(
    (list): list is Loaded & { items: readonly ResourceItem[] } => !('error' in list),
  );
  const groups = answered.flatMap((list) => list.groups ?? []);
  const { shape } = options;
  if (shape?.kind !== 'window' || !answered.some((list) => list.window))
    return { items: answered.flatMap((list) => list.items), groups: groups.length ? groups : undefined };
  const cursor = shape.after ? decodeCursor(shape.after, sort) : undefined;
  const items: ResourceItem[] = [];
  let totalCount = 0;
  let afterCursor = 0;
  for (const list of answered) {
    let part = list;
    if (!list.window) {
      const matching = needle ? list.items.filter((item) => item.name.includes(needle)) : list.items;
      const sorted = [...matching].sort((a, b) => sort.compare(a, b));
      part = windowAfter(sorted, sort, cursor, shape.first);
    }
    items.push(...part.items);
    totalCount += part.window?.totalCount ?? 0;
    afterCursor += part.window?.afterCursor ?? 0;
  }
  return { items, window: { totalCount, afterCursor } };
}

/** Names a collection in one cluster (in one namespace); throws a GatewayError when it cannot. */
export type CollectionPathFor = (clusterId: string, namespace?: string) => Promise<string>;

/** A cluster's failure as a value; bad input (no cluster named in it) fails the whole query. */
function perClusterFailure(error: unknown): { error: GatewayError } {
  const failure = asGatewayError(error);
  if (failure.code === 'BAD_USER_INPUT' && failure.clusterId === undefined) throw failure;
  return { error: failure };
}

/**
 * Lists a collection from every cluster in scope as the caller, in parallel; failed
 * clusters become errors beside the data. `pathFor` names the collection per cluster (it
 * throws, e.g., for a kind that cluster does not serve). Answers come from the list caches
 * where they may (docs/list-cache.md), else live.
 */
export async function listAcross(
  context: GraphQLContext,
  filter: ResourceFilterInput | null | undefined,
  pathFor: CollectionPathFor,
  options: ListAcrossOptions = { namespaced: true },
): Promise<ClusterRun[]> {
  validateFilter(filter);
  const clusterIds = clustersInScope(context, filter);
  const sort = options.sort ?? DEFAULT_SORT;
  const allowStale = options.allowStale === true;
  const load = async (clusterId: string, path: string): Promise<Loaded> => {
    const cached = await listFromCache(context, clusterId, path, filter, sort, allowStale, options.shape);
    if (cached) return cached;
    const live = await context.lists.load({
      clusterId,
      path,
      labelSelector: filter?.labelSelector ?? undefined,
      fieldSelector: filter?.fieldSelector ?? undefined,
    });
    if (allowStale && 'error' in live && live.error.code === 'CLUSTER_UNAVAILABLE') {
      return {
        error: new GatewayError(
          'CLUSTER_UNAVAILABLE',
          `${live.error.message}; allowStale: the gateway holds no copy of ${path} of this cluster that you may be answered from`,
          { clusterId },
        ),
      };
    }
    return live;
  };
  const lists = await Promise.all(
    clusterIds.map(async (clusterId): Promise<Loaded> => {
      let path: string;
      try {
        path = await pathFor(clusterId);
      } catch (error) {
        return perClusterFailure(error);
      }
      const list = await load(clusterId, path);
      if (!('error' in list) || list.error.code !== 'CLUSTER_FORBIDDEN' || filter?.namespace) return list;
      if (!options.namespaced) {
        // A cluster-scoped kind the caller may not list: what they may see of it, if anything.
        const seen = await options.whenRefused?.(clusterId);
        return seen?.length ? { items: seen.map((object) => liveItem(clusterId, object)) } : list;
      }
      // Not allowed across all namespaces: what is in the namespaces the caller is bound to.
      const namespaces = await visibleNamespaces(context, clusterId);
      if (namespaces.length === 0) return list;
      const perNamespace = await Promise.all(
        namespaces.map(async (namespace): Promise<Loaded> => {
          let namespacedPath: string;
          try {
            namespacedPath = await pathFor(clusterId, namespace.metadata?.name);
          } catch {
            return { items: [] };
          }
          return load(clusterId, namespacedPath);
        }),
      );
      return combineNamespaces(perNamespace, options, sort, filter?.nameContains);
    }),
  );
  const runs: ClusterRun[] = [];
  const needle = filter?.nameContains;
  for (const [index, list] of lists.entries()) {
    if ('error' in list) {
      context.clusterErrors.push(list.error);
      continue;
    }
    // The owner's windows and counts are of matching items already.
    const items =
      needle && !list.window ? list.items.filter((item) => item.name.includes(needle)) : list.items;
    runs.push({
      clusterId: clusterIds[index] as string,
      items,
      order: list.order,
      staleSince: list.staleSince,
      window: list.window,
      groups: list.groups,
    });
    if (list.staleSince)
      context.staleClusters.set(clusterIds[index] as string, list.staleSince.toISOString());
  }
  return runs;
}
