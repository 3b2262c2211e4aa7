import type { AccessStore } from '../access/access-repository.ts';
import type { ApiTokenRepository } from '../auth/api-token-repository.ts';
import type { OidcSessionRepository } from '../auth/oidc-session-repository.ts';
import type { PendingLoginStore } from '../auth/pending-logins.ts';
import type { UserRepository } from '../auth/user-repository.ts';
import type { ClusterRepository } from '../clusters/cluster-repository.ts';
import type { KubeClient } from '../kube/kube-client.ts';

/** The management cluster behind a Kubernetes store, and what replicas need of it. */
export interface ManagementStore {
  readonly kube: KubeClient;
  readonly namespace: string;
  readonly replicaId: string;
  /** The replica that holds a cluster's tunnel, as the store says; null when none. */
  holderOf(clusterId: string): string | null;
}

/** Every repository of the gateway's state, from one backend (docs/replicas.md §1). */
export interface StoreRepositories {
  readonly users: UserRepository;
  readonly tokens: ApiTokenRepository;
  readonly clusters: ClusterRepository;
  readonly oidcSessions: OidcSessionRepository;
  readonly pendingLogins: PendingLoginStore;
  /** The access policy (docs/access-control.md). */
  readonly access: AccessStore;
  /** With a management cluster: how to reach it, where the gateway's objects are, and who this replica is. */
  readonly management?: ManagementStore;
  /** Stops watches and closes files; the repositories answer nothing useful afterwards. */
  close(): void;
}
