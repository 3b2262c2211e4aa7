import { randomBytes } from 'node:crypto';
import { ACCESS_REVIEW_TTL_MS } from '../cache/access-reviews.ts';
import { AGENT_IDENTITY, identityKey } from '../kube/identity.ts';
import type { KubeObject, ResourceRule } from '../kube/objects.ts';
import type { GraphQLContext } from './context.ts';

/** Rules every signed-in person has everywhere (system:basic-user): they grant no namespace. */
const EVERYONE_RESOURCES = new Set([
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'selfsubjectreviews',
]);
/**
 * A namespace that does not exist: the rules a person holds there are those that hold in
 * every namespace (cluster-wide bindings), which show no namespace in particular.
 */
const NO_SUCH_NAMESPACE = `fleetgate-no-such-namespace-${randomBytes(6).toString('hex')}`;
const CONCURRENCY = 8;
/** How long a person's visible namespaces in a cluster are reused (as access reviews are). */
const VISIBLE_NAMESPACES_TTL_MS = ACCESS_REVIEW_TTL_MS;
/** People x clusters remembered at most; the oldest go first. */
const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, { readonly at: number; readonly namespaces: Promise<KubeObject[]> }>();

const matches = (values: readonly string[] | undefined, wanted: string) =>
  (values ?? []).some((value) => value === '*' || value === wanted);

/** Names of the namespaces a rule lets its holder `get`: all ('*'), some, or none. */
function gettableNamespaces(rule: ResourceRule): '*' | readonly string[] {
  if (!matches(rule.apiGroups, '') || !matches(rule.resources, 'namespaces') || !matches(rule.verbs, 'get'))
    return [];
  return rule.resourceNames?.length ? rule.resourceNames : '*';
}

async function namespacesOf(context: GraphQLContext, clusterId: string): Promise<KubeObject[]> {
  const asCaller = { clusterId, as: context.identity };
  // Namespace names are read with the gateway's own identity: a person who may not list
  // namespaces can still be bound in some of them.
  const [{ items: namespaces }, everywhere] = await Promise.all([
    context.kube.listAll({ clusterId, as: AGENT_IDENTITY }, '/api/v1/namespaces'),
    context.kube.rulesIn(asCaller, NO_SUCH_NAMESPACE),
  ]);
  // Those who may get every namespace see every namespace; those who may get some, those.
  const gettable = new Set<string>();
  for (const rule of everywhere) {
    const names = gettableNamespaces(rule);
    if (names === '*') return [...namespaces].sort(byName);
    for (const name of names) gettable.add(name);
  }
  const clusterWide = new Set(everywhere.map((rule) => JSON.stringify(rule)));
  const visible: KubeObject[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, namespaces.length) }, async () => {
      while (next < namespaces.length) {
        const namespace = namespaces[next++] as KubeObject;
        const name = namespace.metadata?.name;
        if (!name) continue;
        if (gettable.has(name)) {
          visible.push(namespace);
          continue;
        }
        // Visible where the person holds rights bound in that namespace: rules beyond the
        // cluster-wide ones (a binding only to read nodes shows no namespace at all).
        const rules = await context.kube.rulesIn(asCaller, name);
        const own = rules.filter((rule) => !clusterWide.has(JSON.stringify(rule)));
        if (own.some((rule) => (rule.resources ?? []).some((r) => !EVERYONE_RESOURCES.has(r))))
          visible.push(namespace);
      }
    }),
  );
  return visible.sort(byName);
}

function byName(a: KubeObject, b: KubeObject): number {
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/**
 * The namespaces of a cluster the caller may get, or in which they hold rights bound in
 * that namespace. Used when a person may not list across all namespaces: they then see what
 * is in the namespaces they are bound to, as Rancher's project views do.
 */
export function visibleNamespaces(context: GraphQLContext, clusterId: string): Promise<KubeObject[]> {
  // One rules review per namespace is many calls to a cluster: the answer is reused for a
  // few seconds by every request of the same person, as the clusters' access reviews are.
  const key = JSON.stringify([identityKey(context.identity), clusterId]);
  const known = remembered.get(key);
  if (known && Date.now() - known.at < VISIBLE_NAMESPACES_TTL_MS) return known.namespaces;
  remembered.delete(key);
  const namespaces = namespacesOf(context, clusterId).catch(() => {
    remembered.delete(key); // a failure is not remembered: the next request asks again
    return [];
  });
  remembered.set(key, { at: Date.now(), namespaces });
  if (remembered.size > MAX_REMEMBERED) {
    const oldest = remembered.keys().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
  return namespaces;
}
