import { type CollectionRef, collectionRoot } from '../src/cache/cached-collections.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { listAcross, pageShape, paginate, type ResourceFilterInput } from '../src/graphql/fan-out.ts';
import { checkKind, collectionPath } from '../src/graphql/kind-paths.ts';
import { completePage } from '../src/graphql/owner-pages.ts';
import { parseSort, type SortInput } from '../src/graphql/sort.ts';
import { visibleNamespaces } from '../src/graphql/visible-namespaces.ts';
import { kindProfile } from '../src/kube/kind-fields.ts';

/** The arguments every list query takes. */
interface ListArgs {
  readonly filter?: ResourceFilterInput | null;
  readonly sort?: readonly SortInput[] | null;
  readonly first?: number | null;
  readonly after?: string | null;
  readonly allowStale?: boolean | null;
}

const core = (resource: string): CollectionRef => ({ group: '', version: 'v1', resource });
const apps = (resource: string): CollectionRef => ({ group: 'apps', version: 'v1', resource });

/** A built-in namespaced kind across clusters, in the order asked for. */
async function listNamespaced(context: GraphQLContext, args: ListArgs, ref: CollectionRef) {
  const sort = parseSort(args.sort, kindProfile(ref.group, ref.resource));
  const root = collectionRoot(ref);
  const base = root.slice(0, root.lastIndexOf('/'));
  const runs = await listAcross(
    context,
    args.filter,
    async (_clusterId, namespace) => {
      const ns = namespace ?? args.filter?.namespace;
      return ns ? `${base}/namespaces/${ns}/${ref.resource}` : root;
    },
    {
      namespaced: true,
      sort,
      allowStale: args.allowStale === true,
      shape: pageShape(args.first, args.after, sort),
    },
  );
  return completePage(context, paginate(runs, args.first, args.after, sort));
}

/** Objects across clusters: the typed core kinds, and any kind by apiVersion and kind. */
export const resourceResolvers: Resolvers = {
  Query: {
    pods: (_parent, args, context) => listNamespaced(context, args, core('pods')),
    namespaces: async (_parent, args, context) => {
      const sort = parseSort(args.sort, kindProfile('', 'namespaces'));
      // Who may not list namespaces sees the ones they may get or are bound in, instead of an error.
      const runs = await listAcross(
        context,
        { ...args.filter, namespace: null },
        async () => '/api/v1/namespaces',
        {
          namespaced: false,
          whenRefused: (clusterId) => visibleNamespaces(context, clusterId),
          sort,
          allowStale: args.allowStale === true,
          shape: pageShape(args.first, args.after, sort),
        },
      );
      return completePage(context, paginate(runs, args.first, args.after, sort));
    },
    nodes: async (_parent, args, context) => {
      const sort = parseSort(args.sort, kindProfile('', 'nodes'));
      const runs = await listAcross(
        context,
        { ...args.filter, namespace: null },
        async () => '/api/v1/nodes',
        {
          namespaced: false,
          sort,
          allowStale: args.allowStale === true,
          shape: pageShape(args.first, args.after, sort),
        },
      );
      return completePage(context, paginate(runs, args.first, args.after, sort));
    },
    deployments: (_parent, args, context) => listNamespaced(context, args, apps('deployments')),
    statefulsets: (_parent, args, context) => listNamespaced(context, args, apps('statefulsets')),
    daemonsets: (_parent, args, context) => listNamespaced(context, args, apps('daemonsets')),
    jobs: (_parent, args, context) =>
      listNamespaced(context, args, { group: 'batch', version: 'v1', resource: 'jobs' }),
    services: (_parent, args, context) => listNamespaced(context, args, core('services')),
    events: (_parent, args, context) => listNamespaced(context, args, core('events')),
    resources: async (_parent, args, context) => {
      checkKind(args.apiVersion, args.kind);
      // Any kind sorts by the fields every object has; its own are not known here.
      const sort = parseSort(args.sort, { resource: args.kind, fields: [] });
      const runs = await listAcross(
        context,
        args.filter,
        (clusterId, namespace) =>
          collectionPath(context, clusterId, args.apiVersion, args.kind, namespace ?? args.filter?.namespace),
        {
          namespaced: true,
          sort,
          allowStale: args.allowStale === true,
          shape: pageShape(args.first, args.after, sort),
        },
      );
      return completePage(context, paginate(runs, args.first, args.after, sort));
    },
  },
};
