import type { DatabaseSync } from 'node:sqlite';
import { withoutWaitingForDisk } from '../store/database.ts';
import type { Cluster, ClusterState } from './cluster.ts';
import type { ClusterRepository, CredentialRecord, TokenRecord } from './cluster-repository.ts';

interface ClusterRow {
  cluster_id: string;
  name: string;
  state: string;
  state_reason: string;
  state_changed_at: string;
  created_at: string;
  kubernetes_version: string | null;
  agent_version: string | null;
  last_connected_at: string | null;
  health: string | null;
  health_checked_at: string | null;
}

function toCluster(row: ClusterRow): Cluster {
  return {
    clusterId: row.cluster_id,
    name: row.name,
    state: row.state as ClusterState,
    stateReason: row.state_reason,
    stateChangedAt: row.state_changed_at,
    createdAt: row.created_at,
    kubernetesVersion: row.kubernetes_version,
    agentVersion: row.agent_version,
    lastConnectedAt: row.last_connected_at,
    health: row.health,
    healthCheckedAt: row.health_checked_at,
  };
}

/** Clusters, their registration tokens and agent credentials in the embedded SQLite store; no policy lives here. */
export class SqliteClusterRepository implements ClusterRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async insert(cluster: Cluster, token: TokenRecord): Promise<void> {
    this.#db.exec('BEGIN');
    try {
      this.#db
        .prepare(
          `INSERT INTO clusters (cluster_id, name, state, state_reason, state_changed_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          cluster.clusterId,
          cluster.name,
          cluster.state,
          cluster.stateReason,
          cluster.stateChangedAt,
          cluster.createdAt,
        );
      this.#insertToken(cluster.clusterId, token);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  all(): Cluster[] {
    return (this.#db.prepare('SELECT * FROM clusters ORDER BY name').all() as unknown as ClusterRow[]).map(
      toCluster,
    );
  }

  get(clusterId: string): Cluster | undefined {
    const row = this.#db.prepare('SELECT * FROM clusters WHERE cluster_id = ?').get(clusterId) as
      | ClusterRow
      | undefined;
    return row ? toCluster(row) : undefined;
  }

  nameTaken(name: string): boolean {
    return this.#db.prepare('SELECT 1 FROM clusters WHERE name = ?').get(name) !== undefined;
  }

  async delete(clusterId: string): Promise<boolean> {
    return Number(this.#db.prepare('DELETE FROM clusters WHERE cluster_id = ?').run(clusterId).changes) > 0;
  }

  // State, connection and health are what the gateway observes at run time and learns again
  // after a restart (which starts by marking every cluster Disconnected), so their writes do
  // not wait for the disk. Each is one statement that answers the updated row, or undefined
  // for a cluster that is gone.

  async setState(
    clusterId: string,
    state: ClusterState,
    reason: string,
    at: string,
  ): Promise<Cluster | undefined> {
    return this.#runtimeUpdate(
      'UPDATE clusters SET state = ?, state_reason = ?, state_changed_at = ? WHERE cluster_id = ? RETURNING *',
      state,
      reason,
      at,
      clusterId,
    );
  }

  /** Active with a new tunnel: state and the agent's details in one write. */
  async setConnected(
    clusterId: string,
    agentVersion: string | null,
    reason: string,
    at: string,
  ): Promise<Cluster | undefined> {
    return this.#runtimeUpdate(
      `UPDATE clusters SET state = 'Active', state_reason = ?, state_changed_at = ?,
         agent_version = ?, last_connected_at = ? WHERE cluster_id = ? RETURNING *`,
      reason,
      at,
      agentVersion,
      at,
      clusterId,
    );
  }

  async setHealth(
    clusterId: string,
    health: string,
    kubernetesVersion: string | null,
    at: string,
  ): Promise<Cluster | undefined> {
    return this.#runtimeUpdate(
      `UPDATE clusters SET health = ?, health_checked_at = ?,
         kubernetes_version = COALESCE(?, kubernetes_version) WHERE cluster_id = ? RETURNING *`,
      health,
      at,
      kubernetesVersion,
      clusterId,
    );
  }

  #runtimeUpdate(sql: string, ...params: (string | null)[]): Cluster | undefined {
    const row = withoutWaitingForDisk(this.#db, () => this.#db.prepare(sql).get(...params)) as
      | ClusterRow
      | undefined;
    return row ? toCluster(row) : undefined;
  }

  /** Marks every Active cluster Disconnected (no tunnel survives a gateway restart). */
  async disconnectAll(reason: string, at: string): Promise<void> {
    this.#db
      .prepare(
        `UPDATE clusters SET state = 'Disconnected', state_reason = ?, state_changed_at = ? WHERE state = 'Active'`,
      )
      .run(reason, at);
  }

  #insertToken(clusterId: string, token: TokenRecord): void {
    this.#db
      .prepare(
        `INSERT INTO registration_tokens (cluster_id, secret_hash, created_at, expires_at, retired_at, grace_until, used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        clusterId,
        token.secretHash,
        token.createdAt,
        token.expiresAt,
        token.retiredAt,
        token.graceUntil,
        token.usedAt,
      );
  }

  tokens(clusterId: string): TokenRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM registration_tokens WHERE cluster_id = ? ORDER BY created_at DESC')
      .all(clusterId) as unknown as {
      secret_hash: string;
      created_at: string;
      expires_at: string | null;
      retired_at: string | null;
      grace_until: string | null;
      used_at: string | null;
    }[];
    return rows.map((r) => ({
      secretHash: r.secret_hash,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      retiredAt: r.retired_at,
      graceUntil: r.grace_until,
      usedAt: r.used_at,
    }));
  }

  /**
   * Replaces the current token: the current one is retired with a grace period, older
   * retired ones are dropped, the new one is stored. One transaction.
   */
  async rotateToken(
    clusterId: string,
    next: TokenRecord,
    retiredAt: string,
    graceUntil: string,
  ): Promise<void> {
    this.#db.exec('BEGIN');
    try {
      this.#db
        .prepare('DELETE FROM registration_tokens WHERE cluster_id = ? AND retired_at IS NOT NULL')
        .run(clusterId);
      this.#db
        .prepare(
          'UPDATE registration_tokens SET retired_at = ?, grace_until = ? WHERE cluster_id = ? AND retired_at IS NULL',
        )
        .run(retiredAt, graceUntil, clusterId);
      this.#insertToken(clusterId, next);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  credentials(clusterId: string): CredentialRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM agent_credentials WHERE cluster_id = ? ORDER BY created_at DESC')
      .all(clusterId) as unknown as {
      secret_hash: string;
      created_at: string;
      retired_at: string | null;
      grace_until: string | null;
    }[];
    return rows.map((r) => ({
      secretHash: r.secret_hash,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
      graceUntil: r.grace_until,
    }));
  }

  /**
   * The exchange of docs/tunnel-protocol.md §2, in one transaction: marks the registration
   * token used (false, and nothing changes, when it was used already), retires every
   * credential of the cluster at once (their grace ends now) and stores the new one as current.
   */
  async exchangeToken(clusterId: string, tokenHash: string, credential: CredentialRecord): Promise<boolean> {
    const at = credential.createdAt;
    this.#db.exec('BEGIN');
    try {
      const marked = this.#db
        .prepare(
          'UPDATE registration_tokens SET used_at = ? WHERE cluster_id = ? AND secret_hash = ? AND used_at IS NULL',
        )
        .run(at, clusterId, tokenHash);
      if (Number(marked.changes) !== 1) {
        this.#db.exec('ROLLBACK');
        return false;
      }
      this.#db
        .prepare('DELETE FROM agent_credentials WHERE cluster_id = ? AND grace_until <= ?')
        .run(clusterId, at);
      this.#db
        .prepare(
          'UPDATE agent_credentials SET retired_at = COALESCE(retired_at, ?), grace_until = ? WHERE cluster_id = ?',
        )
        .run(at, at, clusterId);
      this.#insertCredential(clusterId, credential);
      this.#db.exec('COMMIT');
      return true;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Retires the current credential with a grace period and drops those whose grace is over,
   * then stores `next` (if any) as current. One transaction.
   */
  async rotateCredential(
    clusterId: string,
    retiredAt: string,
    graceUntil: string,
    next: CredentialRecord | undefined,
  ): Promise<void> {
    this.#db.exec('BEGIN');
    try {
      this.#db
        .prepare('DELETE FROM agent_credentials WHERE cluster_id = ? AND grace_until <= ?')
        .run(clusterId, retiredAt);
      this.#db
        .prepare(
          'UPDATE agent_credentials SET retired_at = ?, grace_until = ? WHERE cluster_id = ? AND retired_at IS NULL',
        )
        .run(retiredAt, graceUntil, clusterId);
      if (next) this.#insertCredential(clusterId, next);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Stores `next` as the current credential unless the cluster has one already; true if stored. */
  async insertCurrentCredential(clusterId: string, next: CredentialRecord): Promise<boolean> {
    const stored = this.#db
      .prepare(
        `INSERT INTO agent_credentials (cluster_id, secret_hash, created_at, retired_at, grace_until)
         SELECT ?, ?, ?, NULL, NULL
         WHERE NOT EXISTS (SELECT 1 FROM agent_credentials WHERE cluster_id = ? AND retired_at IS NULL)`,
      )
      .run(clusterId, next.secretHash, next.createdAt, clusterId);
    return Number(stored.changes) === 1;
  }

  #insertCredential(clusterId: string, credential: CredentialRecord): void {
    this.#db
      .prepare(
        `INSERT INTO agent_credentials (cluster_id, secret_hash, created_at, retired_at, grace_until)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(
        clusterId,
        credential.secretHash,
        credential.createdAt,
        credential.retiredAt,
        credential.graceUntil,
      );
  }

  unavailable(): string | undefined {
    return undefined;
  }

  onChangedElsewhere(): void {}
}
