import type { Resolvers } from '../src/generated/graphql.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { listAcross, paginate, type ResourceFilterInput } from '../src/graphql/fan-out.ts';
import { collectionPath } from '../src/graphql/kind-paths.ts';
import { visibleNamespaces } from '../src/graphql/visible-namespaces.ts';

function corePath(resource: string, namespace: string | null | undefined): string {
  return namespace ? `/api/v1/namespaces/${namespace}/${resource}` : `/api/v1/${resource}`;
}

/** A namespaced built-in kind across clusters. */
async function listKind(
  context: GraphQLContext,
  args: { filter?: ResourceFilterInput | null; first?: number | null; after?: string | null },
  base: string,
  resource: string,
) {
  const items = await listAcross(context, args.filter, async (_clusterId, namespace) => {
    const ns = namespace ?? args.filter?.namespace;
    return ns ? `${base}/namespaces/${ns}/${resource}` : `${base}/${resource}`;
  });
  return paginate(items, args.first, args.after);
}

/** Objects across clusters: pods, namespaces, and any kind by apiVersion and kind. */
export const resourceResolvers: Resolvers = {
  Query: {
    pods: async (_parent, args, context) => {
      const items = await listAcross(context, args.filter, async (_clusterId, namespace) =>
        corePath('pods', namespace ?? args.filter?.namespace),
      );
      return paginate(items, args.first, args.after);
    },
    namespaces: async (_parent, args, context) => {
      // Who may not list namespaces sees the ones they may get or are bound in, instead of an error.
      const runs = await listAcross(
        context,
        { ...args.filter, namespace: null },
        async () => '/api/v1/namespaces',
        {
          namespaced: false,
          whenRefused: (clusterId) => visibleNamespaces(context, clusterId),
        },
      );
      return paginate(runs, args.first, args.after);
    },
    nodes: async (_parent, args, context) =>
      paginate(
        await listAcross(context, { ...args.filter, namespace: null }, async () => '/api/v1/nodes', {
          namespaced: false,
        }),
        args.first,
        args.after,
      ),
    deployments: (_parent, args, context) => listKind(context, args, '/apis/apps/v1', 'deployments'),
    statefulsets: (_parent, args, context) => listKind(context, args, '/apis/apps/v1', 'statefulsets'),
    daemonsets: (_parent, args, context) => listKind(context, args, '/apis/apps/v1', 'daemonsets'),
    jobs: (_parent, args, context) => listKind(context, args, '/apis/batch/v1', 'jobs'),
    services: (_parent, args, context) => listKind(context, args, '/api/v1', 'services'),
    events: (_parent, args, context) => listKind(context, args, '/api/v1', 'events'),
    resources: async (_parent, args, context) => {
      const items = await listAcross(context, args.filter, (clusterId, namespace) =>
        collectionPath(context, clusterId, args.apiVersion, args.kind, namespace ?? args.filter?.namespace),
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
