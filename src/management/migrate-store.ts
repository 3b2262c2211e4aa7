import type { DatabaseSync } from 'node:sqlite';
import { SqliteApiTokenRepository } from '../auth/api-token-repository.ts';
import { SqliteOidcSessionRepository } from '../auth/oidc-session-repository.ts';
import { SqliteUserRepository } from '../auth/user-repository.ts';
import { SqliteClusterRepository } from '../clusters/sqlite-cluster-repository.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { API_GROUP, API_VERSION, KINDS } from './crds.ts';
import { encodeApiToken } from './kube-api-token-repository.ts';
import { encodeCluster } from './kube-cluster-repository.ts';
import { encodeOidcSession } from './kube-oidc-session-repository.ts';
import { encodeUser } from './kube-user-repository.ts';
import { MANAGEMENT_CLUSTER } from './management-transport.ts';
import { migrateAccessPolicy } from './migrate-access.ts';
import { claimObject } from './name-claims.ts';

/** What a migration did, kind by kind. */
export interface MigrationReport {
  /** Objects created. */
  readonly copied: Record<string, number>;
  /** Objects that were there already with the same content. */
  readonly present: Record<string, number>;
  /** Objects that are there with other content: left alone, and the migration failed. */
  readonly conflicts: readonly string[];
}

const target = { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY };

/** JSON with object keys sorted, to compare what is stored with what would be. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The part of an object a migration owns: a custom resource's spec, a Secret's data. */
const content = (object: KubeObject) =>
  canonical((object as { spec?: unknown; data?: unknown }).spec ?? (object as { data?: unknown }).data);

/** Creates an object unless it exists; answers the object as stored (created or found). */
export type PutObject = (kind: string, path: string, object: KubeObject) => Promise<KubeObject>;

/**
 * Copies every user, token, OIDC sign-in, cluster (with its hashes and its name's claim) and
 * the access policy of a SQLite store into the management cluster (docs/replicas.md §8). Never overwrites: an object that
 * exists with the same content counts as present, one with other content as a conflict.
 * Clusters arrive Disconnected: their agents reconnect to the replicas.
 */
export async function migrateSqliteStore(
  db: DatabaseSync,
  kube: KubeClient,
  namespace: string,
): Promise<MigrationReport> {
  const copied: Record<string, number> = {};
  const present: Record<string, number> = {};
  const conflicts: string[] = [];
  const ours = (plural: string) => `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${plural}`;
  const put: PutObject = async (kind, path, object) => {
    try {
      const created = await kube.create<KubeObject>(target, path, object);
      copied[kind] = (copied[kind] ?? 0) + 1;
      return created;
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === 'RESOURCE_CONFLICT')) throw error;
      const name = object.metadata?.name as string;
      const existing = await kube.get<KubeObject>(target, `${path}/${name}`);
      if (content(existing) === content(object)) present[kind] = (present[kind] ?? 0) + 1;
      else conflicts.push(`${kind} ${name}`);
      return existing;
    }
  };
  for (const user of new SqliteUserRepository(db).list())
    await put('users', ours(KINDS.user.plural), encodeUser(user));
  const clusters = new SqliteClusterRepository(db);
  const migratedAt = new Date().toISOString();
  const clusterUids = new Map<string, string>();
  for (const cluster of clusters.all()) {
    const resting =
      cluster.state === 'Active'
        ? {
            ...cluster,
            state: 'Disconnected' as const,
            stateReason: 'moved to the management cluster',
            stateChangedAt: migratedAt,
          }
        : cluster;
    const stored = await put(
      'clusters',
      ours(KINDS.cluster.plural),
      encodeCluster(resting, clusters.tokens(cluster.clusterId), clusters.credentials(cluster.clusterId)),
    );
    const uid = stored.metadata?.uid ?? '';
    clusterUids.set(cluster.clusterId, uid);
    // Its name's claim, as a replica registering it would have made (docs/replicas.md §2).
    await put(
      'claims',
      ours(KINDS.claim.plural),
      claimObject('cluster-name', cluster.name, { kind: KINDS.cluster.kind, name: cluster.clusterId, uid }),
    );
  }
  await migrateAccessPolicy(db, put, ours, (clusterId) => clusterUids.get(clusterId));
  // Sign-ins before tokens: a token names its sign-in.
  for (const session of new SqliteOidcSessionRepository(db).all())
    await put('oidcSessions', `/api/v1/namespaces/${namespace}/secrets`, encodeOidcSession(session));
  for (const token of new SqliteApiTokenRepository(db).list())
    await put('apiTokens', ours(KINDS.apiToken.plural), encodeApiToken(token));
  return { copied, present, conflicts };
}
