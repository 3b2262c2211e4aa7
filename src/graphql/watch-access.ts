import { reviewAccess } from '../cache/access-reviews.ts';
import { AGENT_READABLE_CORE_RESOURCES } from '../clusters/install-manifest.ts';
import type { GraphQLContext } from './context.ts';

/** What a collection path names, when the gateway's own identity may watch it. */
export interface ShareableScope {
  readonly resource: string;
  readonly namespace?: string;
}

const CORE_COLLECTION = /^\/api\/v1(?:\/namespaces\/([a-z0-9-]{1,63}))?\/([a-z]+)$/;
const AGENT_READABLE = new Set<string>(AGENT_READABLE_CORE_RESOURCES);

/** The scope of a collection path the agent may watch itself; undefined for any other. */
export function shareableScope(path: string): ShareableScope | undefined {
  const match = CORE_COLLECTION.exec(path);
  const resource = match?.[2];
  if (!match || !resource || !AGENT_READABLE.has(resource)) return undefined;
  return { resource, namespace: match[1] };
}

/**
 * Whether the caller may watch `scope` in a cluster, asked of that cluster AS THE CALLER
 * (SelfSubjectAccessReview through the tunnel): only then may they receive what a watch
 * run with the gateway's own identity sees. Any failure answers no.
 */
export async function callerMayWatch(
  context: GraphQLContext,
  clusterId: string,
  scope: ShareableScope,
): Promise<boolean> {
  const allowed = await reviewAccess(context.clusterClient, context.identityHeaders, clusterId, {
    verb: 'watch',
    resource: scope.resource,
    namespace: scope.namespace,
  });
  return allowed === true;
}
