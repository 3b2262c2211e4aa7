import type { Resolvers } from '../src/generated/graphql.ts';
import { countPods, countWorkloadsNotReady } from '../src/graphql/aggregations.ts';

/** Typed counts across clusters (schema/aggregations.graphql). */
export const aggregationResolvers: Resolvers = {
  Query: {
    podCounts: (_parent, args, context) =>
      countPods(context, args.filter, args.groupBy, args.allowStale === true),
    workloadsNotReady: (_parent, args, context) =>
      countWorkloadsNotReady(context, args.filter, args.allowStale === true),
  },
};
