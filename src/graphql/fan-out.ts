import { asGatewayError, badInput, GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject } from '../kube/objects.ts';
import { compareItems, itemKey, type ResourceItem } from '../kube/resource-item.ts';
import { listFromCache } from './cached-lists.ts';
import type { ClusterList } from './cluster-lists.ts';
import type { GraphQLContext } from './context.ts';
import { type CursorKey, compareKeys, decodeCursor, encodeCursor } from './cursor.ts';
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

/** The items of one cluster; `sorted` when known to be in (namespace, name) order already. */
export interface ClusterRun {
  readonly clusterId: string;
  readonly items: readonly ResourceItem[];
  readonly sorted?: boolean;
}

export interface ListAcrossOptions {
  /** A namespaced kind: who may not list it everywhere sees it in the namespaces they are bound to. */
  readonly namespaced: boolean;
  /** A cluster-scoped kind: what a caller the cluster refused may still see (else the refusal). */
  readonly whenRefused?: (clusterId: string) => Promise<readonly KubeObject[]>;
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
  const load = async (clusterId: string, path: string): Promise<ClusterList & { sorted?: boolean }> => {
    const cached = await listFromCache(context, clusterId, path, filter);
    if (cached) return { ...cached, sorted: true };
    return context.lists.load({
      clusterId,
      path,
      labelSelector: filter?.labelSelector ?? undefined,
      fieldSelector: filter?.fieldSelector ?? undefined,
    });
  };
  const lists = await Promise.all(
    clusterIds.map(async (clusterId): Promise<ClusterList & { sorted?: boolean }> => {
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
        return seen?.length ? { items: seen.map((object) => ({ clusterId, object })) } : list;
      }
      // Not allowed across all namespaces: what is in the namespaces the caller is bound to.
      const namespaces = await visibleNamespaces(context, clusterId);
      if (namespaces.length === 0) return list;
      const perNamespace = await Promise.all(
        namespaces.map(async (namespace): Promise<ClusterList> => {
          let namespacedPath: string;
          try {
            namespacedPath = await pathFor(clusterId, namespace.metadata?.name);
          } catch {
            return { items: [] };
          }
          return load(clusterId, namespacedPath);
        }),
      );
      return { items: perNamespace.flatMap((l) => ('error' in l ? [] : l.items)) };
    }),
  );
  const runs: ClusterRun[] = [];
  const needle = filter?.nameContains;
  for (const [index, list] of lists.entries()) {
    if ('error' in list) {
      context.clusterErrors.push(list.error);
      continue;
    }
    const items = needle
      ? list.items.filter((item) => (item.object.metadata?.name ?? '').includes(needle))
      : list.items;
    runs.push({ clusterId: clusterIds[index] as string, items, sorted: list.sorted });
  }
  return runs;
}

/** Runs in cluster order, one per cluster, each in (namespace, name) order. */
function inKeyOrder(runs: readonly ClusterRun[]): ClusterRun[] {
  const byCluster = new Map<string, ClusterRun[]>();
  for (const run of runs) {
    const same = byCluster.get(run.clusterId);
    if (same) same.push(run);
    else byCluster.set(run.clusterId, [run]);
  }
  const ordered: ClusterRun[] = [];
  for (const clusterId of [...byCluster.keys()].sort()) {
    const same = byCluster.get(clusterId) as ClusterRun[];
    const items = same.length === 1 ? (same[0] as ClusterRun).items : same.flatMap((run) => run.items);
    const sorted = same.length === 1 && (same[0] as ClusterRun).sorted;
    ordered.push({
      clusterId,
      items: sorted || isSorted(items) ? items : [...items].sort(compareItems),
      sorted: true,
    });
  }
  return ordered;
}

function isSorted(items: readonly ResourceItem[]): boolean {
  for (let i = 1; i < items.length; i++)
    if (compareItems(items[i - 1] as ResourceItem, items[i] as ResourceItem) > 0) return false;
  return true;
}

/** Index of the first item after `key` in one cluster's sorted items. */
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

/**
 * A Relay page of items in the global (cluster, namespace, name) order. Each cluster's items
 * are sorted already, so a page costs a binary search and its own size, not a sort of all.
 */
export function paginate(
  clusterRuns: readonly ClusterRun[],
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const size = first ?? 100;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw badInput(`first must be from 0 to ${MAX_PAGE_SIZE}`);
  const runs = inKeyOrder(clusterRuns);
  let totalCount = 0;
  for (const run of runs) totalCount += run.items.length;
  const afterKey = after ? decodeCursor(after) : undefined;
  const page: ResourceItem[] = [];
  let remaining = 0;
  for (const run of runs) {
    let start = 0;
    if (afterKey) {
      if (run.clusterId < afterKey[0]) continue;
      if (run.clusterId === afterKey[0]) start = indexAfter(run.items, afterKey);
    }
    const take = Math.min(size - page.length, run.items.length - start);
    for (let i = start; i < start + take; i++) page.push(run.items[i] as ResourceItem);
    remaining += run.items.length - start - take;
  }
  // A cursor is made only when asked for: most clients read endCursor alone.
  const edges = page.map((node) => ({
    get cursor() {
      return encodeCursor(itemKey(node));
    },
    node,
  }));
  const last = page.at(-1);
  return {
    edges,
    pageInfo: { hasNextPage: remaining > 0, endCursor: last ? encodeCursor(itemKey(last)) : null },
    totalCount,
  };
}
