import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.ts';

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

const API_VERSION = /^([a-z0-9.-]{1,253}\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const discoveryCache = new WeakMap<GraphQLContext, Map<string, Promise<ApiResourceList | GraphQLError>>>();

/**
 * The collection path of a kind in one cluster, from that cluster's discovery (asked as the
 * caller, cached for the request): custom resources work as built-in ones do.
 */
export async function collectionPath(
  context: GraphQLContext,
  clusterId: string,
  apiVersion: string,
  kind: string,
  namespace: string | null | undefined,
): Promise<string | GraphQLError> {
  if (!API_VERSION.test(apiVersion))
    throw new GraphQLError('apiVersion must look like v1 or group/v1', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  if (!KIND.test(kind))
    throw new GraphQLError('kind must look like Deployment', { extensions: { code: 'BAD_USER_INPUT' } });
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let cache = discoveryCache.get(context);
  if (!cache) {
    cache = new Map();
    discoveryCache.set(context, cache);
  }
  const key = `${clusterId} ${base}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = context.clusterClient
      .json<ApiResourceList>(clusterId, { method: 'GET', path: base, headers: context.identityHeaders })
      .then(({ status, body }) =>
        status === 200
          ? body
          : new GraphQLError(`cluster ${clusterId}: ${apiVersion} is not served (${status})`, {
              extensions: { code: 'RESOURCE_NOT_FOUND', clusterId, httpStatus: status },
            }),
      )
      .catch(
        (error: Error) =>
          new GraphQLError(`cluster ${clusterId}: ${error.message}`, {
            extensions: { code: 'CLUSTER_UNAVAILABLE', clusterId, httpStatus: 503 },
          }),
      );
    cache.set(key, pending);
  }
  const discovery = await pending;
  if (discovery instanceof GraphQLError) return discovery;
  const resource = discovery.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!resource || !(resource.verbs ?? ['list']).includes('list')) {
    return new GraphQLError(`cluster ${clusterId}: no listable ${kind} in ${apiVersion}`, {
      extensions: { code: 'RESOURCE_NOT_FOUND', clusterId, httpStatus: 404 },
    });
  }
  return resource.namespaced && namespace
    ? `${base}/namespaces/${namespace}/${resource.name}`
    : `${base}/${resource.name}`;
}
