import { AccessRepository } from '../access/access-repository.ts';
import { SqliteApiTokenRepository } from '../auth/api-token-repository.ts';
import { SqliteOidcSessionRepository } from '../auth/oidc-session-repository.ts';
import { PendingLogins } from '../auth/pending-logins.ts';
import { SqliteUserRepository } from '../auth/user-repository.ts';
import { SqliteClusterRepository } from '../clusters/sqlite-cluster-repository.ts';
import type { Logger } from '../shared/log/logger.ts';
import { openDatabase } from '../store/database.ts';
import { type KubernetesStoreSettings, openKubernetesStore } from './kubernetes-store.ts';
import type { StoreRepositories } from './store-repositories.ts';

/** Where the gateway's state lives (docs/replicas.md): SQLite under the data directory by default, or a management cluster. */
export type StoreSettings =
  | { readonly kind: 'sqlite' }
  | ({ readonly kind: 'kubernetes' } & KubernetesStoreSettings);

/** Opens the configured store: SQLite under the data directory, or the management cluster. */
export async function openStore(
  dataDir: string,
  settings: StoreSettings | undefined,
  log: Logger,
): Promise<StoreRepositories> {
  if (settings?.kind === 'kubernetes') return openKubernetesStore(settings, log);
  const db = openDatabase(dataDir);
  return {
    users: new SqliteUserRepository(db),
    tokens: new SqliteApiTokenRepository(db),
    clusters: new SqliteClusterRepository(db),
    oidcSessions: new SqliteOidcSessionRepository(db),
    access: new AccessRepository(db),
    pendingLogins: new PendingLogins(),
    close: () => db.close(),
  };
}
