import type { Cluster, ClusterState } from './cluster.ts';

/** A stored registration token (hash only). */
export interface TokenRecord {
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly retiredAt: string | null;
  readonly graceUntil: string | null;
  /** When it was exchanged for an agent credential; a used token opens nothing. */
  readonly usedAt: string | null;
}

/** A stored agent credential (hash only); current while `retiredAt` is null. */
export interface CredentialRecord {
  readonly secretHash: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
  readonly graceUntil: string | null;
}

/**
 * Where clusters, their registration tokens and agent credentials are kept
 * (docs/replicas.md §1): reads answer at once, from the store or its in-memory view; writes
 * settle once the store holds them. A write that changes several records (an exchange, a
 * rotation) is one transaction. No policy lives here: ClusterRegistry decides.
 */
export interface ClusterRepository {
  /** Stores a new cluster with its first registration token. */
  insert(cluster: Cluster, token: TokenRecord): Promise<void>;
  /** Every cluster, by name. */
  all(): Cluster[];
  get(clusterId: string): Cluster | undefined;
  nameTaken(name: string): boolean;
  delete(clusterId: string): Promise<boolean>;
  /** The updated cluster, or undefined for one that is gone (or, with replicas, whose tunnel another replica now holds). */
  setState(clusterId: string, state: ClusterState, reason: string, at: string): Promise<Cluster | undefined>;
  /** Active with a new tunnel: state and the agent's details in one write. */
  setConnected(
    clusterId: string,
    agentVersion: string | null,
    reason: string,
    at: string,
  ): Promise<Cluster | undefined>;
  setHealth(
    clusterId: string,
    health: string,
    kubernetesVersion: string | null,
    at: string,
  ): Promise<Cluster | undefined>;
  /** Marks Disconnected every Active cluster whose tunnel this gateway held (none survives its restart). */
  disconnectAll(reason: string, at: string): Promise<void>;
  tokens(clusterId: string): TokenRecord[];
  /**
   * Replaces the current token: the current one is retired with a grace period, older
   * retired ones are dropped, the new one is stored.
   */
  rotateToken(clusterId: string, next: TokenRecord, retiredAt: string, graceUntil: string): Promise<void>;
  credentials(clusterId: string): CredentialRecord[];
  /**
   * The exchange of docs/tunnel-protocol.md §2: marks the registration token used (false,
   * and nothing changes, when it was used already), retires every credential of the
   * cluster at once (their grace ends now) and stores the new one as current.
   */
  exchangeToken(clusterId: string, tokenHash: string, credential: CredentialRecord): Promise<boolean>;
  /**
   * Retires the current credential with a grace period and drops those whose grace is over,
   * then stores `next` (if any) as current.
   */
  rotateCredential(
    clusterId: string,
    retiredAt: string,
    graceUntil: string,
    next: CredentialRecord | undefined,
  ): Promise<void>;
  /** Stores `next` as the current credential unless the cluster has one already; true if stored. */
  insertCurrentCredential(clusterId: string, next: CredentialRecord): Promise<boolean>;
  /** Why what the repository answers cannot be vouched for now (its watch is lost), or undefined. */
  unavailable(): string | undefined;
  /**
   * Calls `listener` with a cluster changed by someone else (another replica); undefined
   * when removed; `credentialsChanged` when its agent credentials changed.
   */
  onChangedElsewhere(
    listener: (clusterId: string, cluster: Cluster | undefined, credentialsChanged: boolean) => void,
  ): void;
}
