import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { MANAGEMENT_CLUSTER } from '../management/management-transport.ts';

/** The Secret holding what replicas prove to each other that they are replicas with. */
export const PEER_SECRET_NAME = 'fleetgate-peer';
const KEY = 'secret';
const target = { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY };

/**
 * The replicas' shared secret for their links (docs/replicas.md §5), kept in a Secret of the
 * management namespace: the first replica makes it, every other one reads it.
 */
export async function loadPeerSecret(kube: KubeClient, namespace: string): Promise<string> {
  const path = `/api/v1/namespaces/${namespace}/secrets`;
  const read = async () => {
    const secret = await kube.get<{ data?: Record<string, string> }>(target, `${path}/${PEER_SECRET_NAME}`);
    const value = Buffer.from(secret.data?.[KEY] ?? '', 'base64').toString('utf8');
    if (value.length < 32) throw new Error(`the Secret ${PEER_SECRET_NAME} holds no usable secret`);
    return value;
  };
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof GatewayError && error.code === 'RESOURCE_NOT_FOUND')) throw error;
  }
  const value = randomBytes(32).toString('base64url');
  try {
    await kube.create(target, path, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: PEER_SECRET_NAME, labels: { 'app.kubernetes.io/managed-by': 'fleetgate' } },
      type: 'Opaque',
      data: { [KEY]: Buffer.from(value, 'utf8').toString('base64') },
    });
    return value;
  } catch (error) {
    // Another replica made it in the same instant: theirs is the one.
    if (error instanceof GatewayError && error.code === 'RESOURCE_CONFLICT') return read();
    throw error;
  }
}
