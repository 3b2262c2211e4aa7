import { EventEmitter } from 'node:events';
import { CloseCode } from '../shared/tunnel/codes.ts';
import { MAX_SESSIONS_PER_CLUSTER } from '../shared/tunnel/limits.ts';
import type { TunnelSession } from '../shared/tunnel/session.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

interface Connection {
  readonly session: TunnelSession;
  readonly secretHash: string;
  readonly connectedAt: number;
}

/**
 * The live tunnels of every cluster. A cluster is Active while it has at least one; new
 * streams go to its newest tunnel (an agent being replaced keeps serving what it has).
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
    registry.on('tokensChanged', (clusterId) => {
      for (const connection of this.#byCluster.get(clusterId) ?? []) {
        if (!registry.secretStillValid(clusterId, connection.secretHash)) {
          connection.session.close(CloseCode.UNAUTHORIZED, 'registration token rotated out');
        }
      }
    });
  }

  /** True when another tunnel for the cluster would exceed MAX_SESSIONS_PER_CLUSTER. */
  atCapacity(clusterId: string): boolean {
    return (this.#byCluster.get(clusterId)?.length ?? 0) >= MAX_SESSIONS_PER_CLUSTER;
  }

  attach(clusterId: string, session: TunnelSession, secretHash: string, agentVersion: string | null): void {
    const list = this.#byCluster.get(clusterId) ?? [];
    list.push({ session, secretHash, connectedAt: Date.now() });
    this.#byCluster.set(clusterId, list);
    this.#registry.markConnected(clusterId, agentVersion);
    this.emit('connected', clusterId);
    session.once('close', ({ code, reason }) => {
      const remaining = (this.#byCluster.get(clusterId) ?? []).filter((c) => c.session !== session);
      if (remaining.length) {
        this.#byCluster.set(clusterId, remaining);
        return;
      }
      this.#byCluster.delete(clusterId);
      this.#registry.markDisconnected(clusterId, `tunnel closed (${code}${reason ? `: ${reason}` : ''})`);
    });
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
