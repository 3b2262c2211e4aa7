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

/** A list path a cache can answer: which collection, and the namespace it is limited to. */
export interface CachedTarget {
  readonly collection: CachedCollection;
  readonly namespace?: string;
}

const NAMESPACED_PODS = /^\/api\/v1\/namespaces\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/pods$/;

/** The cached collection behind a list path, or undefined when the path must go live. */
export function cachedTargetOf(path: string): CachedTarget | undefined {
  if (path === CACHED_COLLECTIONS.pods.path) return { collection: 'pods' };
  if (path === CACHED_COLLECTIONS.nodes.path) return { collection: 'nodes' };
  if (path === CACHED_COLLECTIONS.namespaces.path) return { collection: 'namespaces' };
  const namespaced = NAMESPACED_PODS.exec(path);
  if (namespaced) return { collection: 'pods', namespace: namespaced[1] as string };
  return undefined;
}
