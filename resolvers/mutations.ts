import { badInput } from '../src/errors/gateway-error.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { collectionPath } from '../src/graphql/kind-paths.ts';
import type { CallTarget } from '../src/kube/kube-client.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const WORKLOAD_PATHS = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  ReplicaSet: 'replicasets',
} as const;

function checkName(what: string, value: string, pattern = NAME): void {
  if (!pattern.test(value))
    throw badInput(`${what} ${JSON.stringify(value.slice(0, 64))} is not a valid Kubernetes name`);
}

function workloadPath(namespace: string, kind: keyof typeof WORKLOAD_PATHS, name: string): string {
  checkName('namespace', namespace, DNS_LABEL);
  checkName('name', name);
  return `/apis/apps/v1/namespaces/${namespace}/${WORKLOAD_PATHS[kind]}/${name}`;
}

async function objectPath(
  context: Parameters<typeof collectionPath>[0],
  clusterId: string,
  apiVersion: string,
  kind: string,
  namespace: string | null | undefined,
  name: string,
): Promise<string> {
  if (namespace != null) checkName('namespace', namespace, DNS_LABEL);
  checkName('name', name);
  return `${await collectionPath(context, clusterId, apiVersion, kind, namespace)}/${name}`;
}

/** The cluster a mutation changes, as the caller. */
function asCaller(context: GraphQLContext, clusterId: string): CallTarget {
  return { clusterId, as: context.identity };
}

/** What a change to a cluster was done to, for the audit log: kind, namespace, name; never a body. */
function targetOf(args: Record<string, unknown>): string {
  const manifest = (args.manifest ?? {}) as {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 253) : '');
  // Only the namespace mutations name no kind.
  const kind = text(args.kind) || text(manifest.kind) || 'Namespace';
  const namespace = text(args.namespace) || text(manifest.metadata?.namespace);
  const name = text(args.name) || text(manifest.metadata?.name);
  return [kind, namespace, name].filter(Boolean).join('/');
}

type MutationResolver = (parent: unknown, args: never, context: GraphQLContext, info: unknown) => unknown;

/** A change to a cluster, made as the caller and recorded in the audit log whatever its outcome. */
function audited(action: string, resolver: MutationResolver): MutationResolver {
  return (parent, args, context, info) => {
    const given = args as Record<string, unknown>;
    return context.audit.audited(
      {
        principalId: context.principal.principalId,
        principal: context.principal.name,
        as: context.identity.user,
        action,
        clusterId: typeof given.clusterId === 'string' ? given.clusterId.slice(0, 64) : undefined,
        target: targetOf(given),
      },
      () => resolver(parent, args, context, info),
    );
  };
}

/** Every mutation that changes a cluster goes through `audited` (the gateway's own are audited by GatewayAdmin). */
function auditClusterChanges(resolvers: Resolvers): Resolvers {
  const mutations = { ...(resolvers.Mutation as Record<string, MutationResolver>) };
  for (const action of CLUSTER_MUTATIONS) {
    const resolver = mutations[action];
    if (resolver) mutations[action] = audited(action, resolver);
  }
  return { ...resolvers, Mutation: mutations as Resolvers['Mutation'] };
}

const CLUSTER_MUTATIONS = [
  'scaleWorkload',
  'restartRollout',
  'deleteResource',
  'applyManifest',
  'createNamespace',
  'deleteNamespace',
] as const;

/** Changes to clusters (as the caller) and to the gateway itself. */
export const mutationResolvers: Resolvers = auditClusterChanges({
  Mutation: {
    scaleWorkload: async (_parent, args, context) => {
      if (!Number.isInteger(args.replicas) || args.replicas < 0 || args.replicas > 100_000)
        throw badInput('replicas must be 0 to 100000');
      const object = await context.kube.patch(
        asCaller(context, args.clusterId),
        `${workloadPath(args.namespace, args.kind, args.name)}/scale`,
        'merge',
        { spec: { replicas: args.replicas } },
      );
      return { clusterId: args.clusterId, object };
    },
    restartRollout: async (_parent, args, context) => {
      const object = await context.kube.patch(
        asCaller(context, args.clusterId),
        workloadPath(args.namespace, args.kind, args.name),
        'strategic',
        {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
            },
          },
        },
      );
      return { clusterId: args.clusterId, object };
    },
    deleteResource: async (_parent, args, context) => {
      const path = await objectPath(
        context,
        args.clusterId,
        args.apiVersion,
        args.kind,
        args.namespace,
        args.name,
      );
      return {
        clusterId: args.clusterId,
        object: await context.kube.delete(asCaller(context, args.clusterId), path),
      };
    },
    applyManifest: async (_parent, args, context) => {
      const manifest = args.manifest as {
        apiVersion?: unknown;
        kind?: unknown;
        metadata?: { name?: unknown; namespace?: unknown };
      } | null;
      if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest))
        throw badInput('manifest must be one Kubernetes object');
      const { apiVersion, kind, metadata } = manifest;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof metadata?.name !== 'string') {
        throw badInput('manifest needs apiVersion, kind and metadata.name');
      }
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      const path = await objectPath(context, args.clusterId, apiVersion, kind, namespace, metadata.name);
      // JSON is YAML, which is what server-side apply reads.
      const object = await context.kube.patch(asCaller(context, args.clusterId), path, 'apply', manifest, {
        fieldManager: 'fleetgate',
        force: args.force === true,
      });
      return { clusterId: args.clusterId, object };
    },
    createNamespace: async (_parent, args, context) => {
      checkName('namespace', args.name, DNS_LABEL);
      const object = await context.kube.create(asCaller(context, args.clusterId), '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: args.name },
      });
      return { clusterId: args.clusterId, object };
    },
    deleteNamespace: async (_parent, args, context) => {
      checkName('namespace', args.name, DNS_LABEL);
      const object = await context.kube.delete(
        asCaller(context, args.clusterId),
        `/api/v1/namespaces/${args.name}`,
      );
      return { clusterId: args.clusterId, object };
    },
    registerCluster: (_parent, args, context) => context.admin.registerCluster(context.principal, args.name),
    removeCluster: async (_parent, args, context) => {
      await context.admin.removeCluster(context.principal, args.id);
      return true;
    },
    rotateRegistrationToken: (_parent, args, context) =>
      context.admin.rotateRegistrationToken(context.principal, args.id, {
        graceSeconds: args.graceSeconds ?? undefined,
      }),
    rotateAgentCredential: (_parent, args, context) =>
      context.admin.rotateAgentCredential(context.principal, args.id, {
        graceSeconds: args.graceSeconds ?? undefined,
      }),
    createApiToken: async (_parent, args, context) => {
      const { token, info } = await context.admin.createApiToken(context.principal, {
        description: args.description,
        ttlSeconds: args.ttlSeconds ?? undefined,
        session: context.session,
      });
      return { tokenId: info.tokenId, token, expiresAt: info.expiresAt };
    },
    revokeApiToken: (_parent, args, context) => context.admin.revokeToken(context.principal, args.tokenId),
  },
});
