import { stringify } from 'yaml';
import type { Cluster } from '../clusters/cluster.ts';

export interface KubeconfigOptions {
  /** The gateway's public URL. */
  readonly gatewayUrl: string;
  /** PEM of the CA that signed the gateway's certificate, when it is private. */
  readonly caPem?: string;
  readonly clusters: readonly Cluster[];
  readonly userName: string;
  readonly token: string;
}

/** A kubeconfig with one context per cluster, each through the gateway's passthrough. */
export function renderGatewayKubeconfig(options: KubeconfigOptions): string {
  const userEntry = `fleetgate-${options.userName}`;
  const clusters = options.clusters.map((cluster) => ({
    name: cluster.name,
    cluster: {
      server: new URL(`/k8s/clusters/${cluster.clusterId}`, options.gatewayUrl).href,
      ...(options.caPem
        ? { 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') }
        : {}),
    },
  }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters,
    users: [{ name: userEntry, user: { token: options.token } }],
    contexts: options.clusters.map((cluster) => ({
      name: cluster.name,
      context: { cluster: cluster.name, user: userEntry },
    })),
    'current-context': options.clusters[0]?.name ?? '',
  });
}
