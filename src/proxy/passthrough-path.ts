import { CLUSTER_ID_PATTERN } from '../clusters/registration-token.ts';
import { GatewayError } from '../errors/gateway-error.ts';

export const PASSTHROUGH_PREFIX = '/k8s/clusters/';

/** Where a passthrough request goes: which cluster, and the path on its apiserver. */
export interface PassthroughTarget {
  readonly clusterId: string;
  /** Origin-form path with query, e.g. /api/v1/pods?watch=1 */
  readonly path: string;
}

/**
 * Splits `/k8s/clusters/<clusterId>/<rest>` from the raw request target. Nothing is
 * decoded or normalised on the way: a dot segment, an encoded slash or backslash, or a
 * cluster id that is not exactly an id is refused, so that no spelling of a path can land
 * on another cluster or outside the apiserver's API.
 */
export function parsePassthroughTarget(rawTarget: string): PassthroughTarget | undefined {
  if (!rawTarget.startsWith(PASSTHROUGH_PREFIX)) return undefined;
  const rest = rawTarget.slice(PASSTHROUGH_PREFIX.length);
  const end = rest.search(/[/?]/);
  const clusterId = end < 0 ? rest : rest.slice(0, end);
  if (!CLUSTER_ID_PATTERN.test(clusterId)) {
    throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${JSON.stringify(clusterId.slice(0, 64))}`);
  }
  let path = end < 0 ? '/' : rest.slice(end);
  if (path.startsWith('?')) path = `/${path}`;
  const query = path.indexOf('?');
  const pathPart = query < 0 ? path : path.slice(0, query);
  for (const segment of pathPart.split('/')) {
    const lowered = segment.toLowerCase();
    if (lowered === '.' || lowered === '..' || /^(%2e|\.){1,2}$/.test(lowered)) {
      throw new GatewayError('BAD_USER_INPUT', 'dot segments are not allowed in passthrough paths');
    }
  }
  if (/%2f|%5c|\\/i.test(pathPart))
    throw new GatewayError(
      'BAD_USER_INPUT',
      'encoded slashes and backslashes are not allowed in passthrough paths',
    );
  if (pathPart.startsWith('//'))
    throw new GatewayError('BAD_USER_INPUT', 'empty path segment after the cluster id');
  return { clusterId, path };
}
