import type { GraphQLContext } from './context.ts';
import type { KubernetesObject } from './resource-item.ts';

interface RulesReview {
  status?: { resourceRules?: { verbs?: string[]; apiGroups?: string[]; resources?: string[] }[] };
}

/** Rules every signed-in person has everywhere (system:basic-user): they grant no namespace. */
const EVERYONE_RESOURCES = new Set([
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'selfsubjectreviews',
]);
const CONCURRENCY = 8;
const cache = new WeakMap<GraphQLContext, Map<string, Promise<KubernetesObject[]>>>();

async function namespacesOf(context: GraphQLContext, clusterId: string): Promise<KubernetesObject[]> {
  // Namespace names are read with the gateway's own identity: a person who may not list
  // namespaces can still be bound in some of them.
  const { status, body } = await context.clusterClient.json<{ items?: KubernetesObject[] }>(clusterId, {
    method: 'GET',
    path: '/api/v1/namespaces',
  });
  if (status !== 200) return [];
  const namespaces = body.items ?? [];
  const visible: KubernetesObject[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, namespaces.length) }, async () => {
      while (next < namespaces.length) {
        const namespace = namespaces[next++] as KubernetesObject;
        const name = namespace.metadata?.name;
        if (!name) continue;
        const review = await context.clusterClient.json<RulesReview>(clusterId, {
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
          headers: [['Content-Type', 'application/json'], ...context.identityHeaders],
          body: Buffer.from(
            JSON.stringify({
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectRulesReview',
              spec: { namespace: name },
            }),
          ),
        });
        const rules = review.body.status?.resourceRules ?? [];
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
export function visibleNamespaces(context: GraphQLContext, clusterId: string): Promise<KubernetesObject[]> {
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
