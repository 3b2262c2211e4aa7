import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { GraphQLContext } from './context.ts';

/** Rules every signed-in person has everywhere (system:basic-user): they grant no namespace. */
const EVERYONE_RESOURCES = new Set([
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'selfsubjectreviews',
]);
const CONCURRENCY = 8;
const cache = new WeakMap<GraphQLContext, Map<string, Promise<KubeObject[]>>>();

async function namespacesOf(context: GraphQLContext, clusterId: string): Promise<KubeObject[]> {
  // Namespace names are read with the gateway's own identity: a person who may not list
  // namespaces can still be bound in some of them.
  const { items: namespaces } = await context.kube.listAll(
    { clusterId, as: AGENT_IDENTITY },
    '/api/v1/namespaces',
  );
  const visible: KubeObject[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, namespaces.length) }, async () => {
      while (next < namespaces.length) {
        const namespace = namespaces[next++] as KubeObject;
        const name = namespace.metadata?.name;
        if (!name) continue;
        const rules = await context.kube.rulesIn({ clusterId, as: context.identity }, name);
        if (rules.some((rule) => (rule.resources ?? []).some((r) => !EVERYONE_RESOURCES.has(r))))
          visible.push(namespace);
      }
    }),
  );
  return visible.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

/**
 * The namespaces of a cluster in which the caller has any rights of their own, asked once
 * per request. Used when a person may not list across all namespaces: they then see what
 * is in the namespaces they are bound to, as Rancher's project views do.
 */
export function visibleNamespaces(context: GraphQLContext, clusterId: string): Promise<KubeObject[]> {
  let perRequest = cache.get(context);
  if (!perRequest) {
    perRequest = new Map();
    cache.set(context, perRequest);
  }
  let pending = perRequest.get(clusterId);
  if (!pending) {
    pending = namespacesOf(context, clusterId).catch(() => []);
    perRequest.set(clusterId, pending);
  }
  return pending;
}
