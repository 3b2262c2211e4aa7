import { badInput } from '../errors/gateway-error.ts';
import { type ResourceItem, served } from '../kube/resource-item.ts';
import type { ListShape } from './cached-lists.ts';
import { type CursorKey, decodeCursor, encodeCursor } from './cursor.ts';
import type { GroupCount } from './owner-wire.ts';
import { compareToValues, DEFAULT_SORT, type SortSpec } from './sort.ts';

export const MAX_PAGE_SIZE = 1000;

/** The items of one cluster; `order` names the sort they are in already, if known. */
export interface ClusterRun {
  readonly clusterId: string;
  readonly items: readonly ResourceItem[];
  readonly order?: string;
  /** Answered from a copy no longer kept current (allowStale): since when. */
  readonly staleSince?: Date;
  /**
   * Set when another replica, the cluster's owner, answered with a window (docs/replicas.md
   * §6): `items` are only those after the page's cursor, and these are the run's true counts.
   */
  readonly window?: RunWindow;
  /** Set when the cluster's owner counted the run itself (an aggregation): `items` is empty. */
  readonly groups?: readonly GroupCount[];
}

/** How many items a windowed run matches in all, and after the page's cursor. */
export interface RunWindow {
  readonly totalCount: number;
  readonly afterCursor: number;
}

/** One cluster's part of an answer: how many of its objects matched, and whether they are a stale copy. */
export interface ClusterPart {
  readonly clusterId: string;
  readonly totalCount: number;
  readonly stale: boolean;
  readonly staleSince: string | null;
}

/** One edge of a page; its cursor is made only when asked for: most clients read endCursor alone. */
class Edge {
  readonly node: ResourceItem;
  readonly #spec: SortSpec;

  constructor(node: ResourceItem, spec: SortSpec) {
    this.node = node;
    this.#spec = spec;
  }

  get cursor(): string {
    return encodeCursor(this.#spec.valuesOf(this.node), this.#spec);
  }
}

/** Runs in cluster order, one per cluster, each in `spec`'s order. */
function inOrder(runs: readonly ClusterRun[], spec: SortSpec): ClusterRun[] {
  const byCluster = new Map<string, ClusterRun[]>();
  for (const run of runs) {
    const same = byCluster.get(run.clusterId);
    if (same) same.push(run);
    else byCluster.set(run.clusterId, [run]);
  }
  const ordered: ClusterRun[] = [];
  for (const clusterId of [...byCluster.keys()].sort()) {
    const same = byCluster.get(clusterId) as ClusterRun[];
    const first = same[0] as ClusterRun;
    const items = same.length === 1 ? first.items : same.flatMap((run) => run.items);
    const known = same.length === 1 && first.order === spec.key;
    ordered.push({
      clusterId,
      items: known || isSorted(items, spec) ? items : [...items].sort((a, b) => spec.compare(a, b)),
      order: spec.key,
      staleSince: first.staleSince,
      window: same.length === 1 ? first.window : undefined,
    });
  }
  return ordered;
}

function isSorted(items: readonly ResourceItem[], spec: SortSpec): boolean {
  for (let i = 1; i < items.length; i++)
    if (spec.compare(items[i - 1] as ResourceItem, items[i] as ResourceItem) > 0) return false;
  return true;
}

/** Index of the first item after the cursor's place in one run sorted in `spec`'s order. */
function indexAfter(sorted: readonly ResourceItem[], spec: SortSpec, cursor: CursorKey): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareToValues(spec, spec.valuesOf(sorted[middle] as ResourceItem), cursor) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A run's window (docs/replicas.md §6): at most `first` of its items after the cursor, in
 * `spec`'s order (which `sorted` is in), and its counts. What a cluster's owner answers.
 */
export function windowAfter(
  sorted: readonly ResourceItem[],
  spec: SortSpec,
  cursor: CursorKey | undefined,
  first: number,
): { readonly items: readonly ResourceItem[]; readonly window: RunWindow } {
  const start = cursor ? indexAfter(sorted, spec, cursor) : 0;
  return {
    items: sorted.slice(start, start + first),
    window: { totalCount: sorted.length, afterCursor: sorted.length - start },
  };
}

/** Takes up to `size` items from the runs' positions, smallest first (a k-way merge over a heap). */
function merge(runs: readonly ClusterRun[], starts: number[], size: number, spec: SortSpec): ResourceItem[] {
  const heap: number[] = [];
  const head = (r: number) => (runs[r] as ClusterRun).items[starts[r] as number] as ResourceItem;
  const less = (x: number, y: number) => spec.compare(head(x), head(y)) < 0;
  const push = (r: number) => {
    heap.push(r);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i] as number, heap[parent] as number)) break;
      [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
      i = parent;
    }
  };
  const siftDown = () => {
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && less(heap[left] as number, heap[smallest] as number)) smallest = left;
      if (right < heap.length && less(heap[right] as number, heap[smallest] as number)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as number, heap[i] as number];
      i = smallest;
    }
  };
  for (const [r, run] of runs.entries()) if ((starts[r] as number) < run.items.length) push(r);
  const page: ResourceItem[] = [];
  while (page.length < size && heap.length > 0) {
    const r = heap[0] as number;
    page.push(head(r));
    starts[r] = (starts[r] as number) + 1;
    if ((starts[r] as number) >= (runs[r] as ClusterRun).items.length) {
      const last = heap.pop() as number;
      if (heap.length > 0) heap[0] = last;
      else continue;
    }
    siftDown();
  }
  return page;
}

/** Checks a page's size at the edge (BAD_USER_INPUT): from 0 to MAX_PAGE_SIZE, 100 when absent. */
function pageSize(first: number | null | undefined): number {
  const size = first ?? 100;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw badInput(`first must be from 0 to ${MAX_PAGE_SIZE}`);
  return size;
}

/**
 * The shape of a page for listAcross (a window for each cluster's owner replica), with its
 * size and cursor checked first (BAD_USER_INPUT), so no owner is asked with bad input.
 */
export function pageShape(
  first: number | null | undefined,
  after: string | null | undefined,
  spec: SortSpec = DEFAULT_SORT,
): ListShape {
  const size = pageSize(first);
  if (after) decodeCursor(after, spec);
  return after ? { kind: 'window', first: size, after } : { kind: 'window', first: size };
}

/**
 * A Relay page of items in `spec`'s order across clusters. Each cluster's items are sorted
 * already (a cache keeps each order it was asked for), so a page costs a binary search per
 * cluster and a merge of its own size, not a sort of all.
 */
export function paginate(
  clusterRuns: readonly ClusterRun[],
  first: number | null | undefined,
  after: string | null | undefined,
  spec: SortSpec = DEFAULT_SORT,
) {
  const size = pageSize(first);
  const runs = inOrder(clusterRuns, spec);
  const clusters: ClusterPart[] = runs.map((run) => ({
    clusterId: run.clusterId,
    totalCount: run.window?.totalCount ?? run.items.length,
    stale: run.staleSince !== undefined,
    staleSince: run.staleSince?.toISOString() ?? null,
  }));
  let totalCount = 0;
  for (const part of clusters) totalCount += part.totalCount;
  const cursor = after ? decodeCursor(after, spec) : undefined;
  // A window starts after the cursor already.
  const starts = runs.map((run) => (cursor && !run.window ? indexAfter(run.items, spec, cursor) : 0));
  let after0 = 0;
  for (const [r, run] of runs.entries())
    after0 += run.window ? run.window.afterCursor : run.items.length - (starts[r] as number);
  let page: ResourceItem[];
  if (spec.isDefault) {
    // Clusters do not interleave in the default order: a page is slices, cluster after cluster.
    page = [];
    for (const [r, run] of runs.entries()) {
      const start = starts[r] as number;
      const take = Math.min(size - page.length, run.items.length - start);
      for (let i = start; i < start + take; i++) page.push(run.items[i] as ResourceItem);
    }
  } else {
    page = merge(runs, starts, size, spec);
  }
  const nodes = page.map(served);
  const edges = nodes.map((node) => new Edge(node, spec));
  const last = nodes.at(-1);
  return {
    edges,
    pageInfo: {
      hasNextPage: after0 - page.length > 0,
      endCursor: last ? encodeCursor(spec.valuesOf(last), spec) : null,
    },
    totalCount,
    clusters,
  };
}
