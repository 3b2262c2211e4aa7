import { asGatewayError, badInput } from '../src/errors/gateway-error.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { requireStatsAccess } from '../src/graphql/stats-access.ts';
import { StatsFeed, type StatsUpdate } from '../src/graphql/stats-feed.ts';
import { StatusFeed } from '../src/graphql/status-feed.ts';

/** Clusters from the registry, and their status as it changes. */
export const clusterResolvers: Resolvers = {
  Query: {
    clusters: (_parent, _args, context) => context.registry.list(),
    cluster: (_parent, args, context) => context.registry.get(args.id) ?? null,
  },
  Cluster: {
    id: (cluster) => cluster.clusterId,
    stats: async (cluster, _args, context) => {
      if (cluster.state !== 'Active') return null;
      try {
        await requireStatsAccess(context, cluster.clusterId);
        return await context.stats.of(cluster.clusterId);
      } catch (error) {
        context.clusterErrors.push(asGatewayError(error));
        return null;
      }
    },
  },
  Subscription: {
    clusterStats: {
      subscribe: (_parent, args, context) => {
        if (args.clusters && args.clusters.length > 1000) {
          throw badInput('at most 1000 clusters');
        }
        return new StatsFeed(context, args.clusters ?? undefined);
      },
      resolve: (update: StatsUpdate) => update,
    },
    clusterStatus: {
      // An iterator (not an async generator) so that unsubscribing stops listening at once.
      subscribe: (_parent, _args, context) => new StatusFeed(context.registry),
    },
  },
};
