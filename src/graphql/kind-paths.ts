import { asGatewayError, badInput, GatewayError } from '../errors/gateway-error.ts';
import type { ApiResourceList } from '../kube/objects.ts';
import type { GraphQLContext } from './context.ts';

const API_VERSION = /^([a-z0-9.-]{1,253}\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const discoveryCache = new WeakMap<GraphQLContext, Map<string, Promise<ApiResourceList | GatewayError>>>();

/** Checks an apiVersion and a kind given by a person (BAD_USER_INPUT when malformed). */
export function checkKind(apiVersion: string, kind: string): void {
  if (!API_VERSION.test(apiVersion)) throw badInput('apiVersion must look like v1 or group/v1');
  if (!KIND.test(kind)) throw badInput('kind must look like Deployment');
}

/**
 * The collection path of a kind in one cluster, from that cluster's discovery (asked as the
 * caller, cached for the request): custom resources work as built-in ones do. Throws
 * RESOURCE_NOT_FOUND (with the cluster) where that cluster does not serve it.
 */
export async function collectionPath(
  context: GraphQLContext,
  clusterId: string,
  apiVersion: string,
  kind: string,
  namespace: string | null | undefined,
): Promise<string> {
  checkKind(apiVersion, kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let cache = discoveryCache.get(context);
  if (!cache) {
    cache = new Map();
    discoveryCache.set(context, cache);
  }
  const key = `${clusterId} ${base}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = context.kube.resources({ clusterId, as: context.identity }, apiVersion).catch((error) => {
      const failure = asGatewayError(error);
      return failure.code === 'RESOURCE_NOT_FOUND'
        ? new GatewayError('RESOURCE_NOT_FOUND', `cluster ${clusterId}: ${apiVersion} is not served`, {
            clusterId,
          })
        : failure;
    });
    cache.set(key, pending);
  }
  const discovery = await pending;
  if (discovery instanceof GatewayError) throw discovery;
  const resource = discovery.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!resource || !(resource.verbs ?? ['list']).includes('list')) {
    throw new GatewayError(
      'RESOURCE_NOT_FOUND',
      `cluster ${clusterId}: no listable ${kind} in ${apiVersion}`,
      {
        clusterId,
      },
    );
  }
  return resource.namespaced && namespace
    ? `${base}/namespaces/${namespace}/${resource.name}`
    : `${base}/${resource.name}`;
}
