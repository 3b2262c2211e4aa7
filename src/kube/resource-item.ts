import type { KindProfile, SortValue } from './kind-fields.ts';
import type { KubeObject } from './objects.ts';

/**
 * One object from one cluster: every object the API returns carries its cluster. The
 * fields besides `object` are what sorting and filtering read, so that a cached item
 * (stored compactly, src/cache/compact-item.ts) is never decoded to be sorted or counted.
 */
export interface ResourceItem {
  readonly clusterId: string;
  readonly namespace: string;
  readonly name: string;
  /** metadata.creationTimestamp (RFC 3339, which sorts as text), or ''. */
  readonly createdAt: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** The whole object. A cached item decodes it on every read: serve through `view()`. */
  readonly object: KubeObject;
  /** The profile `values` were read with, if they were. */
  readonly profile?: KindProfile;
  /** The profile's sort fields, read once, in the profile's order. */
  readonly values?: readonly SortValue[];
  /** The item to serve one answer with: reads `object` at most once. */
  view?(): ResourceItem;
  /**
   * The bytes of `value`'s JSON when this item knows them without serializing it (a cached
   * item's decoded object: the length of the text it was decoded from); undefined otherwise.
   */
  jsonBytesOf?(value: unknown): number | undefined;
}

/** An item listed live (or built in a test): the object is at hand, nothing is precomputed. */
export function liveItem(clusterId: string, object: KubeObject): ResourceItem {
  const metadata = object.metadata;
  return {
    clusterId,
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    createdAt: metadata?.creationTimestamp ?? '',
    labels: metadata?.labels as Record<string, string> | undefined,
    object,
  };
}

/** The sort key of an item across clusters: cluster, namespace, name. */
export function itemKey(item: ResourceItem): readonly [string, string, string] {
  return [item.clusterId, item.namespace, item.name];
}

/** Orders items by cluster, namespace and name. */
export function compareItems(a: ResourceItem, b: ResourceItem): number {
  if (a.clusterId !== b.clusterId) return a.clusterId < b.clusterId ? -1 : 1;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}

/** The item as one answer serves it: a cached item's object decoded once. */
export function served(item: ResourceItem): ResourceItem {
  return item.view ? item.view() : item;
}
