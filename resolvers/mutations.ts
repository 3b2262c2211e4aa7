import { GraphQLError } from 'graphql';
import type { Cluster } from '../src/clusters/cluster.ts';
import { RegistryError } from '../src/clusters/cluster-registry.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { callCluster, requireAdmin } from '../src/graphql/cluster-call.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { collectionPath } from '../src/graphql/kind-paths.ts';
import { DEFAULT_ROTATION_GRACE_SECONDS } from '../src/server/clusters-api.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const WORKLOAD_PATHS = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  ReplicaSet: 'replicasets',
} as const;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

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
  const collection = await collectionPath(context, clusterId, apiVersion, kind, namespace);
  if (collection instanceof GraphQLError) throw collection;
  return `${collection}/${name}`;
}

/** What registering or rotating answers: the token is shown only here. */
function registrationAnswer(context: GraphQLContext, cluster: Cluster, token: string) {
  return {
    cluster,
    registrationToken: token,
    installCommand: `kubectl apply -f ${context.installUrl(token)}`,
  };
}

function registryError(error: unknown): never {
  if (error instanceof RegistryError) {
    throw new GraphQLError(error.message, {
      extensions: { code: error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_USER_INPUT' },
    });
  }
  throw error;
}

/** Changes to clusters (as the caller) and to the gateway itself. */
export const mutationResolvers: Resolvers = {
  Mutation: {
    scaleWorkload: async (_parent, args, context) => {
      if (!Number.isInteger(args.replicas) || args.replicas < 0 || args.replicas > 100_000)
        throw badInput('replicas must be 0 to 100000');
      const object = await callCluster(context, args.clusterId, {
        method: 'PATCH',
        path: `${workloadPath(args.namespace, args.kind, args.name)}/scale`,
        contentType: 'application/merge-patch+json',
        body: { spec: { replicas: args.replicas } },
      });
      return { clusterId: args.clusterId, object };
    },
    restartRollout: async (_parent, args, context) => {
      const object = await callCluster(context, args.clusterId, {
        method: 'PATCH',
        path: workloadPath(args.namespace, args.kind, args.name),
        contentType: 'application/strategic-merge-patch+json',
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
            },
          },
        },
      });
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
        object: await callCluster(context, args.clusterId, { method: 'DELETE', path }),
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
      const object = await callCluster(context, args.clusterId, {
        method: 'PATCH',
        path: `${path}?fieldManager=fleetgate&force=${args.force ? 'true' : 'false'}`,
        // JSON is YAML, which is what server-side apply reads.
        contentType: 'application/apply-patch+yaml',
        body: manifest,
      });
      return { clusterId: args.clusterId, object };
    },
    createNamespace: async (_parent, args, context) => {
      checkName('namespace', args.name, DNS_LABEL);
      const object = await callCluster(context, args.clusterId, {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: args.name } },
      });
      return { clusterId: args.clusterId, object };
    },
    deleteNamespace: async (_parent, args, context) => {
      checkName('namespace', args.name, DNS_LABEL);
      const object = await callCluster(context, args.clusterId, {
        method: 'DELETE',
        path: `/api/v1/namespaces/${args.name}`,
      });
      return { clusterId: args.clusterId, object };
    },
    registerCluster: (_parent, args, context) => {
      requireAdmin(context);
      try {
        const { cluster, token } = context.registry.register(args.name);
        return registrationAnswer(context, cluster, token);
      } catch (error) {
        registryError(error);
      }
    },
    removeCluster: (_parent, args, context) => {
      requireAdmin(context);
      try {
        context.registry.remove(args.id);
        return true;
      } catch (error) {
        registryError(error);
      }
    },
    rotateRegistrationToken: (_parent, args, context) => {
      requireAdmin(context);
      try {
        const token = context.registry.rotateToken(args.id, {
          graceSeconds: args.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
        });
        const cluster = context.registry.get(args.id);
        if (!cluster) throw new RegistryError('NOT_FOUND', `no cluster ${args.id}`);
        return registrationAnswer(context, cluster, token);
      } catch (error) {
        registryError(error);
      }
    },
    createApiToken: (_parent, args, context) => {
      try {
        const { token, info } = context.tokens.create(context.principal, {
          kind: 'api',
          description: args.description,
          ttlSeconds: args.ttlSeconds ?? 7_776_000,
        });
        return { tokenId: info.tokenId, token, expiresAt: info.expiresAt };
      } catch (error) {
        if (error instanceof RangeError) throw badInput(error.message);
        throw error;
      }
    },
    revokeApiToken: (_parent, args, context) => {
      const token = context.tokens.get(args.tokenId);
      if (!token || (token.principalId !== context.principal.principalId && !context.principal.isAdmin)) {
        throw new GraphQLError('no such token', { extensions: { code: 'NOT_FOUND' } });
      }
      return context.tokens.revoke(args.tokenId);
    },
  },
};
