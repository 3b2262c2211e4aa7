import { GatewayError } from '../errors/gateway-error.ts';
import type { KindProfile, SortValue } from '../kube/kind-fields.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { GraphQLContext } from './context.ts';
import type { WindowKey } from './owner-wire.ts';

/** How the owner is asked again for an item's object: the list it came from. */
interface ItemSource {
  readonly path: string;
  readonly allowStale: boolean;
}

/**
 * An item of a window another replica answered (docs/replicas.md §6): its keys at once, which
 * is all that merging and paging read, and its object once `completePage` has asked the owner
 * for the objects of the page. Until then (or if the object was deleted meanwhile) its object
 * is only its metadata.
 */
export class OwnedItem implements ResourceItem {
  readonly clusterId: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: string;
  readonly profile: KindProfile;
  readonly values: readonly SortValue[];
  readonly source: ItemSource;
  #object: KubeObject | undefined;

  constructor(clusterId: string, key: WindowKey, profile: KindProfile, source: ItemSource) {
    const [namespace, name, createdAt, ...values] = key;
    this.clusterId = clusterId;
    this.namespace = namespace;
    this.name = name;
    this.createdAt = createdAt;
    this.profile = profile;
    this.values = values;
    this.source = source;
  }

  get object(): KubeObject {
    return (
      this.#object ?? {
        metadata: {
          ...(this.namespace ? { namespace: this.namespace } : {}),
          name: this.name,
          ...(this.createdAt ? { creationTimestamp: this.createdAt } : {}),
        },
      }
    );
  }

  get labels(): Readonly<Record<string, string>> | undefined {
    return this.#object?.metadata?.labels as Record<string, string> | undefined;
  }

  /** Sets the object the owner gave for this item. */
  fill(object: KubeObject): void {
    this.#object = object;
  }
}

/**
 * Asks each cluster's owner for the objects of the page's items that it answered by key (one
 * question per cluster and list), and fills them in. An owner that cannot answer now leaves
 * its items as keys and metadata, reported as CLUSTER_UNAVAILABLE beside the data.
 */
export async function completePage<T extends { readonly edges: readonly { readonly node: ResourceItem }[] }>(
  context: GraphQLContext,
  page: T,
): Promise<T> {
  const groups = new Map<string, OwnedItem[]>();
  for (const { node } of page.edges) {
    if (!(node instanceof OwnedItem)) continue;
    const key = `${node.clusterId}\u0000${node.source.path}\u0000${node.source.allowStale}`;
    const group = groups.get(key);
    if (group) group.push(node);
    else groups.set(key, [node]);
  }
  await Promise.all(
    [...groups.values()].map(async (items) => {
      const [{ clusterId, source }] = items as [OwnedItem, ...OwnedItem[]];
      const answer = await context.owners?.ask(
        clusterId,
        {
          ask: 'objects',
          path: source.path,
          allowStale: source.allowStale,
          names: items.map((item) => [item.namespace, item.name] as const),
        },
        context.identity,
      );
      if (answer?.status === 'objects') {
        for (const [i, object] of answer.items.entries()) if (object) items[i]?.fill(object);
        return;
      }
      context.clusterErrors.push(
        answer?.status === 'error'
          ? new GatewayError(answer.code, answer.message, { clusterId })
          : new GatewayError(
              'CLUSTER_UNAVAILABLE',
              `cluster ${clusterId}: its owner replica gave the page's keys but not its objects; only their names are shown`,
              { clusterId },
            ),
      );
    }),
  );
  return page;
}
