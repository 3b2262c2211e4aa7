import { reviewAccess } from '../cache/access-reviews.ts';
import type { AgentReadableScope } from '../cache/cached-collections.ts';
import { identityKey } from '../kube/identity.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Whether the caller may watch `scope` in a cluster, asked of that cluster AS THE CALLER
 * (SelfSubjectAccessReview through the tunnel): only then may they receive what a watch
 * run with the gateway's own identity sees. Any failure answers no. A review of the same
 * person and collection in flight is joined, and the cluster's answer reused for
 * ACCESS_REVIEW_TTL_MS (thousands of a few people's subscribers attach at once), as a list
 * review's is: a subscriber is never admitted on an answer older than that.
 */
export async function callerMayWatch(
  context: GraphQLContext,
  clusterId: string,
  scope: AgentReadableScope,
): Promise<boolean> {
  const key = JSON.stringify([
    identityKey(context.identity),
    clusterId,
    scope.resource,
    scope.namespace ?? '',
  ]);
  const allowed = await context.sharedWatches.reviews.run(key, () =>
    reviewAccess(context.kube, context.identity, clusterId, {
      verb: 'watch',
      resource: scope.resource,
      namespace: scope.namespace,
    }),
  );
  return allowed === true;
}
