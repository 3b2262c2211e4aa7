import { on } from 'node:events';
import type { Cluster as ClusterModel } from '../src/clusters/cluster.ts';
import { asGatewayError, badInput } from '../src/errors/gateway-error.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { StatsFeed, type StatsUpdate } from '../src/graphql/stats-feed.ts';

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
      // An iterator (not an async generator) so that unsubscribing stops listening at
      // once, instead of after the next event.
      subscribe: (_parent, _args, context) => {
        const changes = on(context.registry, 'change') as AsyncIterableIterator<[ClusterModel]>;
        const iterator: AsyncIterableIterator<{ clusterStatus: ClusterModel }> = {
          [Symbol.asyncIterator]() {
            return iterator;
          },
          async next() {
            const step = await changes.next();
            return step.done
              ? { done: true, value: undefined }
              : { done: false, value: { clusterStatus: step.value[0] } };
          },
          async return() {
            await changes.return?.();
            return { done: true, value: undefined };
          },
        };
        return iterator;
      },
    },
  },
};
