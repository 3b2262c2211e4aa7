import type { Logger } from '../log/logger.ts';
import type { ClusterClient } from './cluster-client.ts';
import type { ClusterConnections } from './cluster-connections.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

/** How often a connected cluster's apiserver is asked whether it is ready. */
export const HEALTH_INTERVAL_MS = 15_000;
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Asks each connected cluster, through its tunnel, for /readyz and (once per connection)
 * /version, and records the answers in the registry.
 */
export class HealthMonitor {
  readonly #registry: ClusterRegistry;
  readonly #client: ClusterClient;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight = new Set<string>();

  constructor(
    registry: ClusterRegistry,
    connections: ClusterConnections,
    client: ClusterClient,
    log: Logger,
    intervalMs = HEALTH_INTERVAL_MS,
  ) {
    this.#registry = registry;
    this.#client = client;
    this.#log = log;
    this.#timer = setInterval(() => this.#checkAll(), intervalMs);
    this.#timer.unref();
    // A fresh connection: learn its version and health at once.
    connections.on('connected', (clusterId) => void this.check(clusterId, true));
  }

  #checkAll(): void {
    for (const cluster of this.#registry.list()) {
      if (cluster.state === 'Active') void this.check(cluster.clusterId, cluster.kubernetesVersion === null);
    }
  }

  /** Checks one cluster now; never throws. */
  async check(clusterId: string, withVersion: boolean): Promise<void> {
    if (this.#inFlight.has(clusterId)) return;
    this.#inFlight.add(clusterId);
    const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
    try {
      let version: string | null = null;
      if (withVersion) {
        const answer = await withTimeout(
          this.#client.json<{ gitVersion?: string }>(clusterId, { method: 'GET', path: '/version' }),
          signal,
        );
        version = typeof answer.body.gitVersion === 'string' ? answer.body.gitVersion : null;
      }
      const { head, stream } = await withTimeout(
        this.#client.request(clusterId, { method: 'GET', path: '/readyz' }),
        signal,
      );
      stream.resume();
      const health = head.status === 200 ? 'ok' : `apiserver /readyz answered ${head.status}`;
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
