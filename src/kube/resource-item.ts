import type { KubeObject } from './objects.ts';

/** One object from one cluster: every object the API returns carries its cluster. */
export interface ResourceItem {
  readonly clusterId: string;
  readonly object: KubeObject;
}

/** The sort key of an item across clusters: cluster, namespace, name. */
export function itemKey(item: ResourceItem): readonly [string, string, string] {
  return [item.clusterId, item.object.metadata?.namespace ?? '', item.object.metadata?.name ?? ''];
}

/** Orders items by cluster, namespace and name without building their keys. */
export function compareItems(a: ResourceItem, b: ResourceItem): number {
  if (a.clusterId !== b.clusterId) return a.clusterId < b.clusterId ? -1 : 1;
  const an = a.object.metadata?.namespace ?? '';
  const bn = b.object.metadata?.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.object.metadata?.name ?? '';
  const b2 = b.object.metadata?.name ?? '';
  return a2 === b2 ? 0 : a2 < b2 ? -1 : 1;
}
