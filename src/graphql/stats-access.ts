import { GatewayError } from '../errors/gateway-error.ts';
import type { GraphQLContext } from './context.ts';

/**
 * A cluster's stats (its nodes, capacity, pods by phase) are read with the agent's identity,
 * so they are shown only to administrators and to those the cluster lets list its nodes.
 * Throws CLUSTER_FORBIDDEN for anyone else.
 */
export async function requireStatsAccess(context: GraphQLContext, clusterId: string): Promise<void> {
  if (context.principal.isAdmin) return;
  if ((await context.reviews.mayList(context.identity, clusterId, 'nodes')) === true) return;
  throw new GatewayError(
    'CLUSTER_FORBIDDEN',
    `cluster ${clusterId}: stats are shown to those who may list its nodes`,
    { clusterId },
  );
}
