import { reviewAccess } from '../cache/access-reviews.ts';
import type { AgentReadableScope } from '../cache/cached-collections.ts';
import { identityKey } from '../kube/identity.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Whether the caller may watch `scope` in a cluster, asked of that cluster AS THE CALLER
 * (SelfSubjectAccessReview through the tunnel): only then may they receive what a watch
 * run with the gateway's own identity sees. Any failure answers no. Answers are not kept:
 * only a review of the same person and collection already in flight is joined (thousands of
 * a few people's subscribers attach at once), so an answer is never older than that review.
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
  return context.sharedWatches.reviews.run(key, async () => {
    const allowed = await reviewAccess(context.kube, context.identity, clusterId, {
      verb: 'watch',
      resource: scope.resource,
      namespace: scope.namespace,
    });
    return allowed === true;
  });
}
