import { AGENT_READABLE_CORE_RESOURCES } from '../kube/agent-rights.ts';

/**
 * The collections the gateway keeps watch-backed copies of (docs/list-cache.md): those the
 * agent's ServiceAccount may list and watch across the cluster.
 */
export const CACHED_COLLECTIONS = {
  pods: { path: '/api/v1/pods', namespaced: true },
  nodes: { path: '/api/v1/nodes', namespaced: false },
  namespaces: { path: '/api/v1/namespaces', namespaced: false },
} as const;

export type CachedCollection = keyof typeof CACHED_COLLECTIONS;

/** A core collection the agent's own identity may list and watch, and the namespace it is in. */
export interface AgentReadableScope {
  readonly resource: string;
  readonly namespace?: string;
}

const CORE_COLLECTION = /^\/api\/v1(?:\/namespaces\/([a-z0-9-]{1,63}))?\/([a-z]+)$/;
const AGENT_READABLE = new Set<string>(AGENT_READABLE_CORE_RESOURCES);

/**
 * The scope of a collection path the agent may read itself (its ClusterRole), or undefined:
 * what shared watches and list caches may serve from the gateway's own identity.
 */
export function agentReadableScope(path: string): AgentReadableScope | undefined {
  const match = CORE_COLLECTION.exec(path);
  const resource = match?.[2];
  if (!match || !resource || !AGENT_READABLE.has(resource)) return undefined;
  return { resource, namespace: match[1] };
}

/** A list path a cache can answer: which collection, and the namespace it is limited to. */
export interface CachedTarget {
  readonly collection: CachedCollection;
  readonly namespace?: string;
}

/** The cached collection behind a list path, or undefined when the path must go live. */
export function cachedTargetOf(path: string): CachedTarget | undefined {
  const scope = agentReadableScope(path);
  if (!scope || !Object.hasOwn(CACHED_COLLECTIONS, scope.resource)) return undefined;
  const collection = scope.resource as CachedCollection;
  if (scope.namespace !== undefined && !CACHED_COLLECTIONS[collection].namespaced) return undefined;
  return { collection, namespace: scope.namespace };
}
