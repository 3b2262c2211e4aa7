import { EventEmitter } from 'node:events';
import { CloseCode } from '../shared/tunnel/codes.ts';
import { MAX_SESSIONS_PER_CLUSTER } from '../shared/tunnel/limits.ts';
import type { TunnelSession } from '../shared/tunnel/session.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

/** setTimeout's longest delay; a later deadline is checked again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_RECHECK_MS = 50;

interface Connection {
  readonly session: TunnelSession;
  /** The agent credential that holds this tunnel (docs/tunnel-protocol.md §2). */
  credentialHash: string;
  /** Fires when the credential's grace period ends. */
  graceTimer: NodeJS.Timeout | undefined;
  readonly connectedAt: number;
}

/** What rotating a cluster's agent credential did. */
export interface CredentialRotation {
  /** Tunnels that were sent the new credential (and are held by it now). */
  readonly deliveredTo: number;
  /** When the retired credential stops holding tunnels. */
  readonly graceUntil: string;
}

/**
 * The live tunnels of every cluster. A cluster is Active while it has at least one; new
 * streams go to its newest tunnel (an agent being replaced keeps serving what it has). Each
 * tunnel is held by an agent credential and closes when that credential's grace ends.
 */
export class ClusterConnections extends EventEmitter<{ connected: [clusterId: string] }> {
  readonly #registry: ClusterRegistry;
  readonly #byCluster = new Map<string, Connection[]>();

  constructor(registry: ClusterRegistry) {
    super();
    this.#registry = registry;
    registry.on('removed', (clusterId) =>
      this.closeCluster(clusterId, CloseCode.CLUSTER_REMOVED, 'cluster removed from the gateway'),
    );
    registry.on('credentialsChanged', (clusterId) => this.#reviewAll(clusterId));
    // Without this, a rotation through another replica would leave these tunnels to close
    // when the retired credential's grace ends.
    registry.on(
      'credentialsChangedElsewhere',
      (clusterId) => void this.#handOverElsewhereRotation(clusterId),
    );
  }

  #reviewAll(clusterId: string): void {
    for (const connection of [...(this.#byCluster.get(clusterId) ?? [])]) this.#review(clusterId, connection);
  }

  /**
   * A rotation made on a replica that held none of the cluster's tunnels retired the
   * current credential without a successor: the tunnels here get one, as a rotation here
   * would have given them, before their grace runs out.
   */
  async #handOverElsewhereRotation(clusterId: string): Promise<void> {
    const connections = (this.#byCluster.get(clusterId) ?? []).filter((c) => !c.session.closed);
    if (connections.length > 0) {
      const minted = await this.#registry.mintMissingCredential(clusterId).catch(() => undefined);
      if (minted) {
        for (const connection of connections.filter((c) => !c.session.closed)) {
          connection.session.sendCredential(minted.credential);
          connection.credentialHash = minted.credentialHash;
        }
      }
    }
    this.#reviewAll(clusterId);
  }

  /** True when another tunnel for the cluster would exceed MAX_SESSIONS_PER_CLUSTER. */
  atCapacity(clusterId: string): boolean {
    return (this.#byCluster.get(clusterId)?.length ?? 0) >= MAX_SESSIONS_PER_CLUSTER;
  }

  attach(
    clusterId: string,
    session: TunnelSession,
    credentialHash: string,
    agentVersion: string | null,
  ): void {
    const list = this.#byCluster.get(clusterId) ?? [];
    const connection: Connection = {
      session,
      credentialHash,
      graceTimer: undefined,
      connectedAt: Date.now(),
    };
    list.push(connection);
    this.#byCluster.set(clusterId, list);
    this.#registry.markConnected(clusterId, agentVersion);
    this.emit('connected', clusterId);
    session.once('close', ({ code, reason }) => {
      clearTimeout(connection.graceTimer);
      const remaining = (this.#byCluster.get(clusterId) ?? []).filter((c) => c.session !== session);
      if (remaining.length) {
        this.#byCluster.set(clusterId, remaining);
        return;
      }
      this.#byCluster.delete(clusterId);
      this.#registry.markDisconnected(clusterId, `tunnel closed (${code}${reason ? `: ${reason}` : ''})`);
    });
    this.#review(clusterId, connection);
  }

  /**
   * Rotates the cluster's agent credential (docs/tunnel-protocol.md §2): the new one is sent
   * to every tunnel of the cluster, which is held by it from then on; the old one holds
   * tunnels for `graceSeconds` more.
   */
  async rotateCredential(clusterId: string, graceSeconds: number): Promise<CredentialRotation> {
    const connections = [...(this.#byCluster.get(clusterId) ?? [])];
    const { minted, graceUntil } = await this.#registry.rotateAgentCredential(clusterId, {
      graceSeconds,
      mint: connections.length > 0,
    });
    if (minted) {
      // A tunnel that closed while the store wrote has nobody to tell.
      for (const connection of connections.filter((c) => !c.session.closed)) {
        connection.session.sendCredential(minted.credential);
        connection.credentialHash = minted.credentialHash;
      }
    }
    this.#registry.announceCredentials(clusterId);
    return { deliveredTo: minted ? connections.length : 0, graceUntil };
  }

  /** Closes the tunnel if its credential no longer holds it, else arms a check for its grace's end. */
  #review(clusterId: string, connection: Connection): void {
    clearTimeout(connection.graceTimer);
    connection.graceTimer = undefined;
    if (connection.session.closed) return;
    const standing = this.#registry.credentialStanding(clusterId, connection.credentialHash);
    if (!standing.valid) {
      connection.session.close(CloseCode.UNAUTHORIZED, standing.reason);
      return;
    }
    if (standing.graceUntilMs === undefined) return;
    // At least a little: timers may fire a millisecond before the clock says the grace is over.
    const delay = Math.min(MAX_TIMER_MS, Math.max(MIN_RECHECK_MS, standing.graceUntilMs - Date.now()));
    connection.graceTimer = setTimeout(() => this.#review(clusterId, connection), delay);
    connection.graceTimer.unref();
  }

  /** The tunnel new streams for this cluster should use, if it is connected. */
  sessionFor(clusterId: string): TunnelSession | undefined {
    return this.#byCluster.get(clusterId)?.at(-1)?.session;
  }

  sessionCount(clusterId?: string): number {
    if (clusterId) return this.#byCluster.get(clusterId)?.length ?? 0;
    let total = 0;
    for (const list of this.#byCluster.values()) total += list.length;
    return total;
  }

  /** Open streams across all tunnels (a leak check looks at this). */
  streamCount(): number {
    let total = 0;
    for (const list of this.#byCluster.values()) for (const c of list) total += c.session.streamCount;
    return total;
  }

  closeCluster(clusterId: string, code: number, reason: string): void {
    for (const { session } of [...(this.#byCluster.get(clusterId) ?? [])]) session.close(code, reason);
  }

  closeAll(code: number, reason: string): void {
    for (const clusterId of [...this.#byCluster.keys()]) this.closeCluster(clusterId, code, reason);
  }
}
