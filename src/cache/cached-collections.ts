import { AGENT_READABLE_CORE_RESOURCES } from '../kube/agent-rights.ts';

/** A collection of objects of one kind in a cluster: its API group ('' for core), version and resource. */
export interface CollectionRef {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** The cluster-wide list path of a collection. */
export function collectionRoot(ref: CollectionRef): string {
  return ref.group
    ? `/apis/${ref.group}/${ref.version}/${ref.resource}`
    : `/api/${ref.version}/${ref.resource}`;
}

/**
 * Collections never kept in the gateway's memory, whoever may read them: their values are
 * credentials. They are always listed live, as the person.
 */
const NEVER_CACHED = new Set(['/secrets']);
/** Core kinds that have no namespace: a path naming one in a namespace is not a list the cache answers. */
const CLUSTER_SCOPED_CORE = new Set(['nodes', 'namespaces', 'persistentvolumes', 'componentstatuses']);

/** A core collection the agent's own identity may list and watch, and the namespace it is in. */
export interface AgentReadableScope {
  readonly resource: string;
  readonly namespace?: string;
}

const CORE_COLLECTION = /^\/api\/v1(?:\/namespaces\/([a-z0-9-]{1,63}))?\/([a-z]+)$/;
const AGENT_READABLE = new Set<string>(AGENT_READABLE_CORE_RESOURCES);

/**
 * The scope of a collection path the agent may read itself (its ClusterRole), or undefined:
 * what shared watches may serve from the gateway's own identity.
 */
export function agentReadableScope(path: string): AgentReadableScope | undefined {
  const match = CORE_COLLECTION.exec(path);
  const resource = match?.[2];
  if (!match || !resource || !AGENT_READABLE.has(resource)) return undefined;
  return { resource, namespace: match[1] };
}

/** Whether the agent's ClusterRole lets it list and watch this collection everywhere (no need to ask). */
export function agentAlwaysReads(ref: CollectionRef): boolean {
  return ref.group === '' && ref.version === 'v1' && AGENT_READABLE.has(ref.resource);
}

/** A list path a cache can answer: which collection, and the namespace it is limited to. */
export interface CachedTarget {
  readonly ref: CollectionRef;
  readonly namespace?: string;
}

const LIST_PATH =
  /^\/(?:api\/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)|apis\/([a-z0-9.-]{1,253})\/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?))(?:\/namespaces\/([a-z0-9-]{1,63}))?\/([a-z0-9.-]{1,253})$/;

/**
 * The collection behind a list path, for any kind, custom resources included, or undefined
 * when the path must go live (not a list, or a collection never cached).
 */
export function cachedTargetOf(path: string): CachedTarget | undefined {
  const match = LIST_PATH.exec(path);
  if (!match) return undefined;
  const [, coreVersion, group, groupVersion, namespace, resource] = match;
  if (!resource || (!coreVersion && !groupVersion)) return undefined;
  const ref: CollectionRef = {
    group: group ?? '',
    version: (coreVersion ?? groupVersion) as string,
    resource,
  };
  if (NEVER_CACHED.has(`${ref.group}/${ref.resource}`)) return undefined;
  if (namespace !== undefined && ref.group === '' && CLUSTER_SCOPED_CORE.has(resource)) return undefined;
  return { ref, namespace };
}
