/** Where a cluster's tunnel stands (registered, connected, lost). */
export type ClusterState = 'Pending' | 'Active' | 'Disconnected';

/** A downstream cluster as the registry knows it. */
export interface Cluster {
  readonly clusterId: string;
  readonly name: string;
  readonly state: ClusterState;
  /** Why the cluster is in its state, e.g. the tunnel's close reason. */
  readonly stateReason: string;
  readonly stateChangedAt: string;
  readonly createdAt: string;
  readonly kubernetesVersion: string | null;
  readonly agentVersion: string | null;
  readonly lastConnectedAt: string | null;
  /** "ok", or what the last health check through the tunnel found. */
  readonly health: string | null;
  readonly healthCheckedAt: string | null;
}

/** DNS-label-like names: what kubectl contexts and URLs can carry without escaping. */
export const CLUSTER_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
