import type { ApiTokenRepository } from '../auth/api-token-repository.ts';
import type { OidcSessionRepository } from '../auth/oidc-session-repository.ts';
import type { PendingLoginStore } from '../auth/pending-logins.ts';
import type { UserRepository } from '../auth/user-repository.ts';
import type { ClusterRepository } from '../clusters/cluster-repository.ts';

/** Every repository of the gateway's state, from one backend (docs/replicas.md §1). */
export interface StoreRepositories {
  readonly users: UserRepository;
  readonly tokens: ApiTokenRepository;
  readonly clusters: ClusterRepository;
  readonly oidcSessions: OidcSessionRepository;
  readonly pendingLogins: PendingLoginStore;
  /** Stops watches and closes files; the repositories answer nothing useful afterwards. */
  close(): void;
}
