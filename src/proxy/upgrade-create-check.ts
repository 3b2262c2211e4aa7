import { GatewayError } from '../errors/gateway-error.ts';
import type { PersonIdentity } from '../kube/identity.ts';
import type { AccessAttributes, KubeClient } from '../kube/kube-client.ts';

/** The pod subresources that run something in, or open a connection to, a pod. */
const POD_CONNECT_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);

/** The path's segments, percent-decoded as the apiserver routes them, empty ones dropped. */
function decodedSegments(path: string): string[] {
  const pathPart = path.split('?')[0] ?? '';
  try {
    return pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'malformed percent-encoding in the path');
  }
}

/**
 * The access review an upgrade needs before the gateway forwards it: `create` on the pod's
 * exec, attach or portforward subresource, unless the apiserver already authorizes the
 * request as `create`. It does for a POST (SPDY's handshake); a WebSocket handshake is a
 * GET, which releases before 1.35 (and later ones with the
 * `AuthorizePodWebsocketUpgradeCreatePermission` gate off) authorize as `get` only.
 * Undefined when no review is needed. The path is decoded first, as the apiserver decodes
 * it (`%65xec` is `exec` to it), and matched leniently (empty segments, any case, a `watch`
 * prefix): a spelling the apiserver would not route costs a review, never a way around it.
 * Plain requests need none: the passthrough sends them without `Upgrade`, and the apiserver
 * refuses exec, attach and port-forward without one.
 */
export function upgradeCreateReview(method: string, path: string): AccessAttributes | undefined {
  if (method === 'POST') return undefined;
  const segments = decodedSegments(path);
  if (segments[0]?.toLowerCase() !== 'api' || segments.length < 2) return undefined;
  let rest = segments.slice(2);
  if (rest[0]?.toLowerCase() === 'watch') rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0]?.toLowerCase() === 'namespaces' && rest.length >= 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (resource?.toLowerCase() !== 'pods' || name === undefined || subresource === undefined) return undefined;
  const connect = subresource.toLowerCase();
  if (!POD_CONNECT_SUBRESOURCES.has(connect)) return undefined;
  return { verb: 'create', group: '', resource: 'pods', subresource: connect, namespace, name };
}

/** What a refusal names: `resource "pods/exec" in the namespace "work"`. */
function describe(review: AccessAttributes): string {
  const where = review.namespace === undefined ? '' : ` in the namespace "${review.namespace}"`;
  return `resource "pods/${review.subresource}" in API group ""${where}`;
}

const WHY = 'exec, attach and port-forward need create on their pod subresource, over WebSocket as over SPDY';

/**
 * Asks the cluster, as the person the upgrade runs as (SelfSubjectAccessReview), whether
 * they may do what `review` names. Fails closed: a no, or any failure of the review itself,
 * throws a 403; `onReviewError` sees the failure (the answer names it too).
 */
export async function authorizeUpgradeCreate(
  kube: KubeClient,
  clusterId: string,
  identity: PersonIdentity,
  review: AccessAttributes,
  onReviewError: (error: unknown) => void,
): Promise<void> {
  const object = `pods "${review.name}" is forbidden`;
  let allowed: boolean;
  try {
    allowed = await kube.mayI({ clusterId, as: identity }, review);
  } catch (error) {
    onReviewError(error);
    const reason = error instanceof GatewayError ? error.message : 'the review failed';
    throw new GatewayError(
      'FORBIDDEN',
      `${object}: could not check that User "${identity.user}" may create ${describe(review)} (${reason}); ${WHY}`,
      { clusterId },
    );
  }
  if (!allowed)
    throw new GatewayError(
      'CLUSTER_FORBIDDEN',
      `${object}: User "${identity.user}" cannot create ${describe(review)}; ${WHY}`,
      { clusterId },
    );
}
