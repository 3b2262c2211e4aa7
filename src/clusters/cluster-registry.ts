import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import { GatewayError } from '../errors/gateway-error.ts';
import { CLUSTER_NAME_PATTERN, type Cluster } from './cluster.ts';
import { ClusterRepository, type TokenRecord } from './cluster-repository.ts';
import {
  formatRegistrationToken,
  hashSecret,
  newClusterId,
  newRegistrationToken,
  parseRegistrationToken,
  sameHash,
} from './registration-token.ts';

/** The outcome of checking an agent's registration token. */
export type AgentAuthentication =
  | { readonly ok: true; readonly clusterId: string; readonly secretHash: string }
  | { readonly ok: false; readonly reason: AgentAuthFailure };

/** Close reasons of docs/tunnel-protocol.md §2, verbatim. */
export type AgentAuthFailure =
  | 'malformed registration token'
  | 'unknown cluster'
  | 'invalid registration token'
  | 'registration token rotated out'
  | 'registration token expired';

export interface RegistryEvents {
  /** A cluster's record changed (state, health, version). */
  change: [cluster: Cluster];
  removed: [clusterId: string];
  /** Tokens changed; sessions authenticated with a secret no longer valid must go. */
  tokensChanged: [clusterId: string];
}

/** The clusters this gateway manages: registration, tokens and tunnel lifecycle. */
export class ClusterRegistry extends EventEmitter<RegistryEvents> {
  readonly #repo: ClusterRepository;
  readonly #clock: () => Date;

  constructor(db: DatabaseSync, clock: () => Date = () => new Date()) {
    super();
    this.#repo = new ClusterRepository(db);
    this.#clock = clock;
    // No tunnel survives a restart of the gateway; agents will reconnect.
    this.#repo.disconnectAll('gateway restarted; waiting for the agent to reconnect', this.#now());
  }

  list(): Cluster[] {
    return this.#repo.all();
  }

  get(clusterId: string): Cluster | undefined {
    return this.#repo.get(clusterId);
  }

  /** Registers a cluster; returns it with its first registration token (shown once). */
  register(name: string, options: { tokenTtlSeconds?: number } = {}): { cluster: Cluster; token: string } {
    if (!CLUSTER_NAME_PATTERN.test(name)) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        'cluster name must be 1-63 lower-case letters, digits or dashes, starting and ending alphanumeric',
      );
    }
    if (this.#repo.nameTaken(name))
      throw new GatewayError('CONFLICT', `a cluster named ${name} exists already`);
    const at = this.#clock().toISOString();
    const cluster: Cluster = {
      clusterId: newClusterId(),
      name,
      state: 'Pending',
      stateReason: 'waiting for the agent to connect',
      stateChangedAt: at,
      createdAt: at,
      kubernetesVersion: null,
      agentVersion: null,
      lastConnectedAt: null,
      health: null,
      healthCheckedAt: null,
    };
    const token = newRegistrationToken(cluster.clusterId);
    this.#repo.insert(cluster, this.#tokenRecord(token.secret, options.tokenTtlSeconds));
    return { cluster, token: formatRegistrationToken(token) };
  }

  remove(clusterId: string): void {
    if (!this.#repo.delete(clusterId))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
    this.emit('removed', clusterId);
  }

  /**
   * Issues a new registration token. The old one keeps working for `graceSeconds` (so the
   * agent can be updated) and is refused after that; 0 refuses it, and closes tunnels
   * opened with it, at once.
   */
  rotateToken(clusterId: string, options: { graceSeconds: number; tokenTtlSeconds?: number }): string {
    if (!this.#repo.get(clusterId))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
    if (!Number.isInteger(options.graceSeconds) || options.graceSeconds < 0) {
      throw new GatewayError('BAD_USER_INPUT', 'graceSeconds must be a whole number >= 0');
    }
    const token = newRegistrationToken(clusterId);
    const at = this.#clock();
    const graceUntil = new Date(at.getTime() + options.graceSeconds * 1000).toISOString();
    this.#repo.rotateToken(
      clusterId,
      this.#tokenRecord(token.secret, options.tokenTtlSeconds),
      at.toISOString(),
      graceUntil,
    );
    this.emit('tokensChanged', clusterId);
    return formatRegistrationToken(token);
  }

  #tokenRecord(secret: string, ttlSeconds: number | undefined): TokenRecord {
    if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)) {
      throw new GatewayError('BAD_USER_INPUT', 'tokenTtlSeconds must be a whole number > 0');
    }
    const at = this.#clock();
    return {
      secretHash: hashSecret(secret),
      createdAt: at.toISOString(),
      expiresAt: ttlSeconds === undefined ? null : new Date(at.getTime() + ttlSeconds * 1000).toISOString(),
      retiredAt: null,
      graceUntil: null,
    };
  }

  /** Checks an agent's bearer token (docs/tunnel-protocol.md §2). */
  authenticateAgent(tokenText: string): AgentAuthentication {
    const token = parseRegistrationToken(tokenText);
    if (!token) return { ok: false, reason: 'malformed registration token' };
    if (!this.#repo.get(token.clusterId)) return { ok: false, reason: 'unknown cluster' };
    const secretHash = hashSecret(token.secret);
    const record = this.#repo.tokens(token.clusterId).find((t) => sameHash(t.secretHash, secretHash));
    if (!record) return { ok: false, reason: 'invalid registration token' };
    const problem = this.#tokenProblem(record);
    if (problem) return { ok: false, reason: problem };
    return { ok: true, clusterId: token.clusterId, secretHash };
  }

  /** True while a secret (by hash) may still hold a tunnel open. */
  secretStillValid(clusterId: string, secretHash: string): boolean {
    const record = this.#repo.tokens(clusterId).find((t) => sameHash(t.secretHash, secretHash));
    return record !== undefined && this.#tokenProblem(record) === undefined;
  }

  #tokenProblem(record: TokenRecord): AgentAuthFailure | undefined {
    const at = this.#clock().toISOString();
    if (record.expiresAt && record.expiresAt <= at) return 'registration token expired';
    if (record.retiredAt && (record.graceUntil ?? record.retiredAt) <= at)
      return 'registration token rotated out';
    return undefined;
  }

  markConnected(clusterId: string, agentVersion: string | null): void {
    this.#changed(this.#repo.setConnected(clusterId, agentVersion, 'agent connected', this.#now()));
  }

  markDisconnected(clusterId: string, reason: string): void {
    this.#changed(this.#repo.setState(clusterId, 'Disconnected', reason, this.#now()));
  }

  recordHealth(clusterId: string, health: string, kubernetesVersion: string | null): void {
    this.#changed(this.#repo.setHealth(clusterId, health, kubernetesVersion, this.#now()));
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  /** Announces a cluster's new record; a cluster removed meanwhile has none. */
  #changed(cluster: Cluster | undefined): void {
    if (cluster) this.emit('change', cluster);
  }
}
