import type { Cluster, ClusterState } from '../clusters/cluster.ts';
import type { ClusterRepository, CredentialRecord, TokenRecord } from '../clusters/cluster-repository.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject } from '../kube/objects.ts';
import { GROUP_VERSION, KINDS } from './crds.ts';
import type { NameClaims } from './name-claims.ts';
import type { ResourceView } from './resource-view.ts';

/** A FleetgateCluster as the gateway reads it. */
export interface ClusterEntry {
  readonly cluster: Cluster;
  /** The replica holding the cluster's tunnel, when one says it does. */
  readonly replica: string | null;
  /** Newest first, as the SQLite store answers them. */
  readonly tokens: readonly TokenRecord[];
  readonly credentials: readonly CredentialRecord[];
}

interface ClusterSpec {
  displayName: string;
  createdAt: string;
  registrationTokens?: TokenRecord[];
  agentCredentials?: CredentialRecord[];
}

interface ClusterStatus {
  state?: ClusterState;
  stateReason?: string;
  stateChangedAt?: string;
  replica?: string | null;
  agentVersion?: string | null;
  kubernetesVersion?: string | null;
  lastConnectedAt?: string | null;
  health?: string | null;
  healthCheckedAt?: string | null;
}

type ClusterObject = KubeObject & { spec: ClusterSpec; status?: ClusterStatus };

const newestFirst = <T extends { createdAt: string }>(records: readonly T[]) =>
  [...records].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

const orNull = (value: string | null | undefined) => value ?? null;

/** A FleetgateCluster as an entry; undefined when malformed. */
export function decodeCluster(object: KubeObject): ClusterEntry | undefined {
  const { spec, status = {} } = object as ClusterObject;
  const clusterId = object.metadata?.name;
  if (!clusterId || !spec || typeof spec.displayName !== 'string') return undefined;
  return {
    cluster: {
      clusterId,
      name: spec.displayName,
      state: status.state ?? 'Pending',
      stateReason: status.stateReason ?? '',
      stateChangedAt: status.stateChangedAt ?? spec.createdAt,
      createdAt: spec.createdAt,
      kubernetesVersion: orNull(status.kubernetesVersion),
      agentVersion: orNull(status.agentVersion),
      lastConnectedAt: orNull(status.lastConnectedAt),
      health: orNull(status.health),
      healthCheckedAt: orNull(status.healthCheckedAt),
    },
    replica: orNull(status.replica),
    tokens: newestFirst(
      (spec.registrationTokens ?? []).map((t) => ({
        secretHash: t.secretHash,
        createdAt: t.createdAt,
        expiresAt: orNull(t.expiresAt),
        retiredAt: orNull(t.retiredAt),
        graceUntil: orNull(t.graceUntil),
        usedAt: orNull(t.usedAt),
      })),
    ),
    credentials: newestFirst(
      (spec.agentCredentials ?? []).map((c) => ({
        secretHash: c.secretHash,
        createdAt: c.createdAt,
        retiredAt: orNull(c.retiredAt),
        graceUntil: orNull(c.graceUntil),
      })),
    ),
  };
}

/** The FleetgateCluster object of a cluster and its hashes. */
export function encodeCluster(
  cluster: Cluster,
  tokens: readonly TokenRecord[],
  credentials: readonly CredentialRecord[],
  replica: string | null = null,
): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: KINDS.cluster.kind,
    metadata: { name: cluster.clusterId },
    spec: {
      displayName: cluster.name,
      createdAt: cluster.createdAt,
      registrationTokens: tokens.map((t) => ({ ...t })),
      agentCredentials: credentials.map((c) => ({ ...c })),
    },
    status: {
      state: cluster.state,
      stateReason: cluster.stateReason,
      stateChangedAt: cluster.stateChangedAt,
      replica,
      agentVersion: cluster.agentVersion,
      kubernetesVersion: cluster.kubernetesVersion,
      lastConnectedAt: cluster.lastConnectedAt,
      health: cluster.health,
      healthCheckedAt: cluster.healthCheckedAt,
    },
  } as KubeObject;
}

/**
 * Clusters as FleetgateCluster objects (docs/replicas.md §2): a cluster's registration
 * tokens and agent credentials (hashes) are in its object, so an exchange or a rotation is
 * one write guarded by the object's resourceVersion. Run-time state names the replica that
 * holds the tunnel: a replica marks Disconnected only what it held.
 */
export class KubeClusterRepository implements ClusterRepository {
  readonly #view: ResourceView<ClusterEntry>;
  readonly #replicaId: string;
  readonly #claims: NameClaims;
  readonly #collectionPath: string;
  readonly #deleteDependents: (clusterId: string) => Promise<void>;

  constructor(options: {
    readonly view: ResourceView<ClusterEntry>;
    readonly replicaId: string;
    /** Where names are claimed: unique across replicas, not only in this replica's view. */
    readonly claims: NameClaims;
    /** The FleetgateClusters' collection (a claim's owner is looked up there). */
    readonly collectionPath: string;
    /** Deletes what belongs to a deleted cluster elsewhere in the store (its access policy). */
    readonly deleteDependents: (clusterId: string) => Promise<void>;
  }) {
    this.#deleteDependents = options.deleteDependents;
    this.#view = options.view;
    this.#replicaId = options.replicaId;
    this.#claims = options.claims;
    this.#collectionPath = options.collectionPath;
  }

  /**
   * Creates the cluster's object, then claims its name: of two replicas registering one
   * name at once, the second claim meets a 409 and its object is deleted again.
   */
  async insert(cluster: Cluster, token: TokenRecord): Promise<void> {
    await this.#view.create(encodeCluster(cluster, [token], []));
    const uid = this.#view.uidOf(cluster.clusterId) ?? '';
    try {
      await this.#claims.claim('cluster-name', cluster.name, {
        kind: KINDS.cluster.kind,
        collectionPath: this.#collectionPath,
        name: cluster.clusterId,
        uid,
      });
    } catch (error) {
      await this.#view.delete(cluster.clusterId, uid);
      if (error instanceof GatewayError && error.code === 'CONFLICT')
        throw new GatewayError('CONFLICT', `a cluster named ${cluster.name} exists already`, {
          cause: error,
        });
      throw error;
    }
  }

  all(): Cluster[] {
    return this.#view
      .values()
      .map((entry) => entry.cluster)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(clusterId: string): Cluster | undefined {
    return this.#view.get(clusterId)?.cluster;
  }

  nameTaken(name: string): boolean {
    return this.#view.values().some((entry) => entry.cluster.name === name);
  }

  async delete(clusterId: string): Promise<boolean> {
    const name = this.#view.get(clusterId)?.cluster.name;
    const deleted = await this.#view.delete(clusterId);
    if (!deleted) return false;
    // At once, rather than left to the garbage collector a little later: the name is free
    // and the cluster's projects and memberships are gone when the answer leaves.
    if (name !== undefined) await this.#claims.release('cluster-name', name, clusterId);
    await this.#deleteDependents(clusterId);
    return true;
  }

  async setState(
    clusterId: string,
    state: ClusterState,
    reason: string,
    at: string,
  ): Promise<Cluster | undefined> {
    const entry = await this.#view.update(clusterId, (object) => {
      const status = statusOf(object);
      // The agent may be on another replica by now: that replica's word stands.
      if (state === 'Disconnected' && status.replica && status.replica !== this.#replicaId) return undefined;
      Object.assign(status, { state, stateReason: reason, stateChangedAt: at });
      if (state !== 'Active') status.replica = null;
      return object;
    });
    return entry?.cluster;
  }

  async setConnected(
    clusterId: string,
    agentVersion: string | null,
    reason: string,
    at: string,
  ): Promise<Cluster | undefined> {
    const entry = await this.#view.update(clusterId, (object) => {
      Object.assign(statusOf(object), {
        state: 'Active',
        stateReason: reason,
        stateChangedAt: at,
        agentVersion,
        lastConnectedAt: at,
        replica: this.#replicaId,
      });
      return object;
    });
    return entry?.cluster;
  }

  async setHealth(
    clusterId: string,
    health: string,
    kubernetesVersion: string | null,
    at: string,
  ): Promise<Cluster | undefined> {
    const entry = await this.#view.update(clusterId, (object) => {
      const status = statusOf(object);
      status.health = health;
      status.healthCheckedAt = at;
      if (kubernetesVersion !== null) status.kubernetesVersion = kubernetesVersion;
      return object;
    });
    return entry?.cluster;
  }

  async disconnectAll(reason: string, at: string): Promise<void> {
    const held = this.#view
      .values()
      .filter((entry) => entry.cluster.state === 'Active' && entry.replica === this.#replicaId);
    await Promise.all(
      held.map((entry) => this.setState(entry.cluster.clusterId, 'Disconnected', reason, at)),
    );
  }

  /** The replica that says it holds the cluster's tunnel, or null. */
  holderOf(clusterId: string): string | null {
    const entry = this.#view.get(clusterId);
    return entry?.cluster.state === 'Active' ? entry.replica : null;
  }

  tokens(clusterId: string): TokenRecord[] {
    return [...(this.#view.get(clusterId)?.tokens ?? [])];
  }

  credentials(clusterId: string): CredentialRecord[] {
    return [...(this.#view.get(clusterId)?.credentials ?? [])];
  }

  async rotateToken(
    clusterId: string,
    next: TokenRecord,
    retiredAt: string,
    graceUntil: string,
  ): Promise<void> {
    await this.#view.update(clusterId, (object) => {
      const spec = (object as ClusterObject).spec;
      spec.registrationTokens = [
        ...(spec.registrationTokens ?? [])
          .filter((t) => !t.retiredAt)
          .map((t) => ({ ...t, retiredAt, graceUntil })),
        { ...next },
      ];
      return object;
    });
  }

  async exchangeToken(clusterId: string, tokenHash: string, credential: CredentialRecord): Promise<boolean> {
    let exchanged = false;
    await this.#view.update(clusterId, (object) => {
      exchanged = false;
      const spec = (object as ClusterObject).spec;
      const at = credential.createdAt;
      const token = (spec.registrationTokens ?? []).find((t) => t.secretHash === tokenHash && !t.usedAt);
      if (!token) return undefined;
      Object.assign(token, { usedAt: at });
      spec.agentCredentials = [
        ...(spec.agentCredentials ?? [])
          .filter((c) => !(c.graceUntil && c.graceUntil <= at))
          .map((c) => ({ ...c, retiredAt: c.retiredAt ?? at, graceUntil: at })),
        { ...credential },
      ];
      exchanged = true;
      return object;
    });
    return exchanged;
  }

  async rotateCredential(
    clusterId: string,
    retiredAt: string,
    graceUntil: string,
    next: CredentialRecord | undefined,
  ): Promise<void> {
    await this.#view.update(clusterId, (object) => {
      const spec = (object as ClusterObject).spec;
      spec.agentCredentials = [
        ...(spec.agentCredentials ?? [])
          .filter((c) => !(c.graceUntil && c.graceUntil <= retiredAt))
          .map((c) => (c.retiredAt ? c : { ...c, retiredAt, graceUntil })),
        ...(next ? [{ ...next }] : []),
      ];
      return object;
    });
  }

  async insertCurrentCredential(clusterId: string, next: CredentialRecord): Promise<boolean> {
    let stored = false;
    await this.#view.update(clusterId, (object) => {
      stored = false;
      const spec = (object as ClusterObject).spec;
      if ((spec.agentCredentials ?? []).some((c) => !c.retiredAt)) return undefined;
      spec.agentCredentials = [...(spec.agentCredentials ?? []), { ...next }];
      stored = true;
      return object;
    });
    return stored;
  }

  unavailable(): string | undefined {
    return this.#view.unavailable();
  }

  onChangedElsewhere(
    listener: (clusterId: string, cluster: Cluster | undefined, credentialsChanged: boolean) => void,
  ): void {
    this.#view.on('changedElsewhere', (clusterId, entry, previous) => {
      const credentials = (e: ClusterEntry | undefined) => JSON.stringify(e?.credentials ?? []);
      listener(clusterId, entry?.cluster, credentials(entry) !== credentials(previous));
    });
  }
}

function statusOf(object: KubeObject): ClusterStatus {
  const holder = object as ClusterObject;
  holder.status ??= {};
  return holder.status;
}
