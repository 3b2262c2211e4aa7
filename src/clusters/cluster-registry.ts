import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors/gateway-error.ts';
import { CLUSTER_NAME_PATTERN, type Cluster } from './cluster.ts';
import type { ClusterRepository, CredentialRecord, TokenRecord } from './cluster-repository.ts';
import {
  formatAgentCredential,
  formatRegistrationToken,
  hashSecret,
  newAgentCredential,
  newClusterId,
  newRegistrationToken,
  parseAgentSecret,
  parseRegistrationToken,
  sameHash,
} from './registration-token.ts';

function checkGrace(graceSeconds: number): void {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0)
    throw new GatewayError('BAD_USER_INPUT', 'graceSeconds must be a whole number >= 0');
}

/**
 * The outcome of checking what an agent presented (docs/tunnel-protocol.md §2): the tunnel
 * is held by the credential `credentialHash`; `issuedCredential` is a credential minted for
 * this agent, to hand over in HELLO.
 */
export type AgentAuthentication =
  | {
      readonly ok: true;
      readonly clusterId: string;
      readonly credentialHash: string;
      readonly issuedCredential?: string;
    }
  | { readonly ok: false; readonly reason: AgentAuthFailure };

/** Close reasons of docs/tunnel-protocol.md §2, verbatim. */
export type AgentAuthFailure =
  | 'malformed registration token'
  | 'unknown cluster'
  | 'invalid registration token'
  | 'registration token rotated out'
  | 'registration token expired'
  | 'registration token already used'
  | 'invalid agent credential'
  | 'agent credential rotated out';

/** Whether a credential may hold a tunnel, and until when (epoch ms) if it was retired. */
export type CredentialStanding =
  | { readonly valid: true; readonly graceUntilMs?: number }
  | { readonly valid: false; readonly reason: AgentAuthFailure };

/** A credential minted by a rotation: its text goes to the agents, its hash holds their tunnels. */
export interface MintedCredential {
  readonly credential: string;
  readonly credentialHash: string;
}

export interface RegistryEvents {
  /** A cluster's record changed (state, health, version). */
  change: [cluster: Cluster];
  removed: [clusterId: string];
  /** Credentials were retired; tunnels held by one whose grace is over must go. */
  credentialsChanged: [clusterId: string];
  /**
   * Another replica changed the cluster's credentials: tunnels held here are reviewed, and
   * handed a new credential if that replica retired the current one without one to hand.
   */
  credentialsChangedElsewhere: [clusterId: string];
  /** A write of run-time state (connection, health) the store refused; the next one tries again. */
  storeError: [error: Error];
}

/** The clusters this gateway manages: registration, tokens, agent credentials and tunnel lifecycle. */
export class ClusterRegistry extends EventEmitter<RegistryEvents> {
  readonly #repo: ClusterRepository;
  readonly #clock: () => Date;
  /**
   * Every cluster by name, as the store last answered: every GraphQL query lists them, and a
   * read of the store each time cost more than executing the query. Forgotten when a write
   * of this registry settles and when the store reports a change made elsewhere, so it is
   * never older than the store's own view.
   */
  #listed: Cluster[] | undefined;

  constructor(repo: ClusterRepository, clock: () => Date = () => new Date()) {
    super();
    this.#repo = repo;
    this.#clock = clock;
    // Another replica registered, removed or connected a cluster: subscribers here hear it too.
    repo.onChangedElsewhere((clusterId, cluster, credentialsChanged) => {
      this.#listed = undefined;
      if (!cluster) {
        this.emit('removed', clusterId);
        return;
      }
      this.emit('change', cluster);
      if (credentialsChanged) this.emit('credentialsChangedElsewhere', clusterId);
    });
  }

  /** No tunnel survives a restart of the gateway; agents will reconnect. Called once at start. */
  disconnectAfterRestart(): Promise<void> {
    return this.#written(
      this.#repo.disconnectAll('gateway restarted; waiting for the agent to reconnect', this.#now()),
    );
  }

  /** Every cluster, by name (from memory while nothing changed: see #listed). */
  list(): Cluster[] {
    this.#listed ??= this.#repo.all();
    return [...this.#listed];
  }

  /** Forgets the listed clusters now and again when `write` settles, whichever way. */
  #written<T>(write: Promise<T>): Promise<T> {
    this.#listed = undefined;
    const forget = () => {
      this.#listed = undefined;
    };
    write.then(forget, forget);
    return write;
  }

  get(clusterId: string): Cluster | undefined {
    return this.#repo.get(clusterId);
  }

  /** Registers a cluster; returns it with its first registration token (shown once). */
  async register(
    name: string,
    options: { tokenTtlSeconds?: number } = {},
  ): Promise<{ cluster: Cluster; token: string }> {
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
    await this.#written(this.#repo.insert(cluster, this.#tokenRecord(token.secret, options.tokenTtlSeconds)));
    return { cluster, token: formatRegistrationToken(token) };
  }

  async remove(clusterId: string): Promise<void> {
    if (!(await this.#written(this.#repo.delete(clusterId))))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
    this.emit('removed', clusterId);
  }

  /**
   * Issues a new, unused registration token (to re-install the agent). The old one, if
   * still unused, keeps working for `graceSeconds` and is refused after that. No tunnel is
   * held by a registration token, so none closes: a re-installed agent's exchange retires
   * the cluster's earlier credentials.
   */
  async rotateToken(
    clusterId: string,
    options: { graceSeconds: number; tokenTtlSeconds?: number },
  ): Promise<string> {
    if (!this.#repo.get(clusterId))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
    checkGrace(options.graceSeconds);
    const token = newRegistrationToken(clusterId);
    const at = this.#clock();
    const graceUntil = new Date(at.getTime() + options.graceSeconds * 1000).toISOString();
    await this.#written(
      this.#repo.rotateToken(
        clusterId,
        this.#tokenRecord(token.secret, options.tokenTtlSeconds),
        at.toISOString(),
        graceUntil,
      ),
    );
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
      usedAt: null,
    };
  }

  /**
   * Checks an agent's bearer token (docs/tunnel-protocol.md §2). An unused registration
   * token is exchanged here: marked used, and a credential minted for the agent.
   */
  authenticateAgent(tokenText: string): Promise<AgentAuthentication> {
    const presented = parseAgentSecret(tokenText);
    if (!presented) return Promise.resolve({ ok: false, reason: 'malformed registration token' });
    if (!this.#repo.get(presented.clusterId))
      return Promise.resolve({ ok: false, reason: 'unknown cluster' });
    return presented.kind === 'registration token'
      ? this.#exchange(presented.clusterId, hashSecret(presented.secret))
      : this.#acceptCredential(presented.clusterId, hashSecret(presented.secret));
  }

  /** The cluster a bearer token names, whether or not it is valid (undefined for a malformed one). */
  clusterNamedBy(tokenText: string): string | undefined {
    return parseAgentSecret(tokenText)?.clusterId;
  }

  /** Checks a registration token without using it: the install manifest is served for an unused one. */
  checkRegistrationToken(
    tokenText: string,
  ): { ok: true; clusterId: string } | { ok: false; reason: AgentAuthFailure } {
    const token = parseRegistrationToken(tokenText);
    if (!token) return { ok: false, reason: 'malformed registration token' };
    if (!this.#repo.get(token.clusterId)) return { ok: false, reason: 'unknown cluster' };
    const problem = this.#unusableToken(token.clusterId, hashSecret(token.secret));
    return problem ? { ok: false, reason: problem } : { ok: true, clusterId: token.clusterId };
  }

  #unusableToken(clusterId: string, secretHash: string): AgentAuthFailure | undefined {
    const record = this.#repo.tokens(clusterId).find((t) => sameHash(t.secretHash, secretHash));
    if (!record) return 'invalid registration token';
    const at = this.#now();
    if (record.expiresAt && record.expiresAt <= at) return 'registration token expired';
    if (record.retiredAt && (record.graceUntil ?? record.retiredAt) <= at)
      return 'registration token rotated out';
    if (record.usedAt) return 'registration token already used';
    return undefined;
  }

  async #exchange(clusterId: string, tokenHash: string): Promise<AgentAuthentication> {
    const problem = this.#unusableToken(clusterId, tokenHash);
    if (problem) return { ok: false, reason: problem };
    const minted = this.#mint(clusterId);
    const record = {
      secretHash: minted.credentialHash,
      createdAt: this.#now(),
      retiredAt: null,
      graceUntil: null,
    };
    if (!(await this.#written(this.#repo.exchangeToken(clusterId, tokenHash, record))))
      return { ok: false, reason: 'registration token already used' };
    // The newest installation wins: tunnels held by the cluster's earlier credentials close.
    this.emit('credentialsChanged', clusterId);
    return {
      ok: true,
      clusterId,
      credentialHash: minted.credentialHash,
      issuedCredential: minted.credential,
    };
  }

  async #acceptCredential(clusterId: string, secretHash: string): Promise<AgentAuthentication> {
    const credentials = this.#repo.credentials(clusterId);
    const record = credentials.find((c) => sameHash(c.secretHash, secretHash));
    if (!record) return { ok: false, reason: 'invalid agent credential' };
    const standing = this.#standing(record);
    if (!standing.valid) return { ok: false, reason: standing.reason };
    if (record.retiredAt && !credentials.some((c) => c.retiredAt === null)) {
      // Rotated while no agent was connected to receive the new credential: this agent gets it.
      const minted = this.#mint(clusterId);
      const next = {
        secretHash: minted.credentialHash,
        createdAt: this.#now(),
        retiredAt: null,
        graceUntil: null,
      };
      if (await this.#written(this.#repo.insertCurrentCredential(clusterId, next))) {
        return {
          ok: true,
          clusterId,
          credentialHash: minted.credentialHash,
          issuedCredential: minted.credential,
        };
      }
    }
    return { ok: true, clusterId, credentialHash: secretHash };
  }

  /** Whether the credential `credentialHash` may (still) hold a tunnel of the cluster. */
  credentialStanding(clusterId: string, credentialHash: string): CredentialStanding {
    const record = this.#repo.credentials(clusterId).find((c) => sameHash(c.secretHash, credentialHash));
    return record ? this.#standing(record) : { valid: false, reason: 'agent credential rotated out' };
  }

  #standing(record: CredentialRecord): CredentialStanding {
    if (record.retiredAt === null) return { valid: true };
    const graceUntilMs = Date.parse(record.graceUntil ?? record.retiredAt);
    if (graceUntilMs <= this.#clock().getTime())
      return { valid: false, reason: 'agent credential rotated out' };
    return { valid: true, graceUntilMs };
  }

  /**
   * Retires the cluster's current agent credential, usable for `graceSeconds` more; mints
   * its successor when `mint` (someone is connected to receive it), else leaves that to the
   * first agent that connects with the retired one. The caller announces the change
   * (`announceCredentials`) once the tunnels that receive the new credential hold it.
   */
  async rotateAgentCredential(
    clusterId: string,
    options: { graceSeconds: number; mint: boolean },
  ): Promise<{ minted: MintedCredential | undefined; graceUntil: string }> {
    if (!this.#repo.get(clusterId))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
    checkGrace(options.graceSeconds);
    const at = this.#clock();
    const graceUntil = new Date(at.getTime() + options.graceSeconds * 1000).toISOString();
    const minted = options.mint ? this.#mint(clusterId) : undefined;
    await this.#written(
      this.#repo.rotateCredential(
        clusterId,
        at.toISOString(),
        graceUntil,
        minted && {
          secretHash: minted.credentialHash,
          createdAt: at.toISOString(),
          retiredAt: null,
          graceUntil: null,
        },
      ),
    );
    return { minted, graceUntil };
  }

  /**
   * Mints a current credential for a cluster that has none (its current one was retired
   * where no tunnel could receive a successor); undefined when it has one.
   */
  async mintMissingCredential(clusterId: string): Promise<MintedCredential | undefined> {
    if (this.#repo.credentials(clusterId).some((c) => c.retiredAt === null)) return undefined;
    const minted = this.#mint(clusterId);
    const stored = await this.#written(
      this.#repo.insertCurrentCredential(clusterId, {
        secretHash: minted.credentialHash,
        createdAt: this.#now(),
        retiredAt: null,
        graceUntil: null,
      }),
    );
    return stored ? minted : undefined;
  }

  /** Tells the tunnels of a cluster that its credentials changed. */
  announceCredentials(clusterId: string): void {
    this.emit('credentialsChanged', clusterId);
  }

  #mint(clusterId: string): MintedCredential {
    const credential = newAgentCredential(clusterId);
    return { credential: formatAgentCredential(credential), credentialHash: hashSecret(credential.secret) };
  }

  // Run-time state: nothing waits for these writes; a failure is reported, and the next
  // change or health check writes again.

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
  #changed(write: Promise<Cluster | undefined>): void {
    this.#written(write).then(
      (cluster) => {
        if (cluster) this.emit('change', cluster);
      },
      (error: Error) => this.emit('storeError', error),
    );
  }
}
