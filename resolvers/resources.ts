import type { GraphQLError } from 'graphql';
import type { Resolvers } from '../src/generated/graphql.ts';
import { listAcross, paginate } from '../src/graphql/fan-out.ts';
import { collectionPath } from '../src/graphql/kind-paths.ts';

function corePath(resource: string, namespace: string | null | undefined): string {
  return namespace ? `/api/v1/namespaces/${namespace}/${resource}` : `/api/v1/${resource}`;
}

/** Objects across clusters: pods, namespaces, and any kind by apiVersion and kind. */
export const resourceResolvers: Resolvers = {
  Query: {
    pods: async (_parent, args, context) => {
      const items = await listAcross(context, args.filter, async () =>
        corePath('pods', args.filter?.namespace),
      );
      return paginate(items, args.first, args.after);
    },
    namespaces: async (_parent, args, context) => {
      const items = await listAcross(
        context,
        { ...args.filter, namespace: null },
        async () => '/api/v1/namespaces',
      );
      return paginate(items, args.first, args.after);
    },
    resources: async (_parent, args, context) => {
      const items = await listAcross(
        context,
        args.filter,
        (clusterId): Promise<string | GraphQLError> =>
          collectionPath(context, clusterId, args.apiVersion, args.kind, args.filter?.namespace),
      );
      return paginate(items, args.first, args.after);
    },
  },
  Pod: {
    clusterId: (item) => item.clusterId,
    namespace: (item) => item.object.metadata?.namespace ?? '',
    name: (item) => item.object.metadata?.name ?? '',
    phase: (item) => (typeof item.object.status?.phase === 'string' ? item.object.status.phase : null),
    nodeName: (item) => (typeof item.object.spec?.nodeName === 'string' ? item.object.spec.nodeName : null),
    labels: (item) => item.object.metadata?.labels ?? {},
    createdAt: (item) => item.object.metadata?.creationTimestamp ?? null,
    object: (item) => item.object,
  },
  Resource: {
    clusterId: (item) => item.clusterId,
    namespace: (item) => item.object.metadata?.namespace ?? null,
    name: (item) => item.object.metadata?.name ?? '',
    object: (item) => item.object,
  },
};
