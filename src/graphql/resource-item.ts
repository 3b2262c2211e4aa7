/** The parts of a Kubernetes object the gateway reads itself. */
export interface KubernetesObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly creationTimestamp?: string;
  };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

/** One object from one cluster: every object the API returns carries its cluster. */
export interface ResourceItem {
  readonly clusterId: string;
  readonly object: KubernetesObject;
}

/** The sort key of an item across clusters: cluster, namespace, name. */
export function itemKey(item: ResourceItem): readonly [string, string, string] {
  return [item.clusterId, item.object.metadata?.namespace ?? '', item.object.metadata?.name ?? ''];
}
