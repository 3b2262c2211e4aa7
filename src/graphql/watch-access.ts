import { reviewAccess } from '../cache/access-reviews.ts';
import type { AgentReadableScope } from '../cache/cached-collections.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Whether the caller may watch `scope` in a cluster, asked of that cluster AS THE CALLER
 * (SelfSubjectAccessReview through the tunnel): only then may they receive what a watch
 * run with the gateway's own identity sees. Any failure answers no.
 */
export async function callerMayWatch(
  context: GraphQLContext,
  clusterId: string,
  scope: AgentReadableScope,
): Promise<boolean> {
  const allowed = await reviewAccess(context.kube, context.identity, clusterId, {
    verb: 'watch',
    resource: scope.resource,
    namespace: scope.namespace,
  });
  return allowed === true;
}
