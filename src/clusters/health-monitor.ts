import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../shared/log/logger.ts';
import type { Cluster } from './cluster.ts';
import type { ClusterConnections } from './cluster-connections.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

/** How often a connected cluster's apiserver is asked whether it is ready. */
export const HEALTH_INTERVAL_MS = 15_000;
const CHECK_TIMEOUT_MS = 10_000;
/**
 * Each interval's checks go out in this many evenly spaced slices: thousands of clusters
 * asked in the same instant would make a burst of streams and registry writes that holds
 * up heartbeats and people's requests for it.
 */
export const HEALTH_SLICES = 15;

/**
 * Asks each connected cluster, through its tunnel, for /readyz and (once per connection)
 * /version, and records the answers in the registry.
 */
export class HealthMonitor {
  readonly #registry: ClusterRegistry;
  readonly #kube: KubeClient;
  readonly #connections: ClusterConnections;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight = new Set<string>();
  /** The Active clusters at the start of this interval, checked slice by slice. */
  #due: Cluster[] = [];
  #slice = 0;
  #owns: ((clusterId: string) => boolean) | undefined;
  #checksRun = 0;

  constructor(
    registry: ClusterRegistry,
    connections: ClusterConnections,
    kube: KubeClient,
    log: Logger,
    intervalMs = HEALTH_INTERVAL_MS,
  ) {
    this.#registry = registry;
    this.#kube = kube;
    this.#connections = connections;
    this.#log = log;
    this.#timer = setInterval(() => this.#checkSlice(), intervalMs / HEALTH_SLICES);
    this.#timer.unref();
    // A fresh connection: learn its version and health at once.
    connections.on('connected', (clusterId) => {
      if (this.#mine(clusterId)) void this.check(clusterId, true);
    });
  }

  /**
   * With replicas: check the clusters this replica owns (docs/replicas.md §6), through
   * whichever replica holds their tunnel, instead of the clusters whose tunnel is here.
   */
  checkOwnedOnly(owns: (clusterId: string) => boolean): void {
    this.#owns = owns;
  }

  /** Checks run since the start (the replicas endpoint reports it). */
  get checksRun(): number {
    return this.#checksRun;
  }

  #mine(clusterId: string): boolean {
    return this.#owns
      ? this.#owns(clusterId) && this.#registry.get(clusterId)?.state === 'Active'
      : this.#connections.sessionCount(clusterId) > 0;
  }

  #checkSlice(): void {
    if (this.#slice === 0) this.#due = this.#registry.list().filter((c) => c.state === 'Active');
    const from = Math.floor((this.#slice * this.#due.length) / HEALTH_SLICES);
    const to = Math.floor(((this.#slice + 1) * this.#due.length) / HEALTH_SLICES);
    for (const cluster of this.#due.slice(from, to)) {
      // Gone (or given to another replica) since the interval began: nothing to ask here.
      if (!this.#mine(cluster.clusterId)) continue;
      void this.check(cluster.clusterId, cluster.kubernetesVersion === null);
    }
    this.#slice = (this.#slice + 1) % HEALTH_SLICES;
  }

  /** Checks one cluster now; never throws. */
  async check(clusterId: string, withVersion: boolean): Promise<void> {
    if (this.#inFlight.has(clusterId)) return;
    this.#inFlight.add(clusterId);
    this.#checksRun++;
    const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
    try {
      let version: string | null = null;
      if (withVersion) {
        const answer = await withTimeout(
          this.#kube.get<{ gitVersion?: string }>({ clusterId, as: AGENT_IDENTITY }, '/version'),
          signal,
        );
        version = typeof answer.gitVersion === 'string' ? answer.gitVersion : null;
      }
      const readyz = await withTimeout(
        this.#kube.send({ clusterId, as: AGENT_IDENTITY }, { method: 'GET', path: '/readyz' }),
        signal,
      );
      readyz.body.resume();
      const health = readyz.status === 200 ? 'ok' : `apiserver /readyz answered ${readyz.status}`;
      this.#registry.recordHealth(clusterId, health, version);
    } catch (error) {
      const message = (error as Error).message;
      this.#log.warn({ clusterId, err: message }, 'health check failed');
      this.#registry.recordHealth(clusterId, `health check failed: ${message}`, null);
    } finally {
      this.#inFlight.delete(clusterId);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

function withTimeout<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
