import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../shared/log/logger.ts';
import type { AccessService } from './access-service.ts';
import { ClusterAccessController } from './cluster-access-controller.ts';

export interface AccessControllersOptions {
  readonly kube: KubeClient;
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly service: AccessService;
  readonly log: Logger;
}

/**
 * A controller per registered cluster: made for every cluster known or connecting, told
 * when its agent connects and when the policy changes, stopped with its cluster. A
 * controller watches its cluster only while the cluster has policy (or leftovers of it).
 */
export class AccessControllers {
  readonly #options: AccessControllersOptions;
  readonly #controllers = new Map<string, ClusterAccessController>();
  readonly #onChanged = (clusterId: string | undefined) => {
    if (clusterId === undefined)
      for (const controller of this.#controllers.values()) controller.policyChanged();
    else this.#ensure(clusterId)?.policyChanged();
  };
  readonly #onConnected = (clusterId: string) => this.#ensure(clusterId)?.connected();
  readonly #onRemoved = (clusterId: string) => this.#stop(clusterId);
  #owns: ((clusterId: string) => boolean) | undefined;
  readonly #states = new Map<string, string>();
  readonly #onRegistryChange = (cluster: { clusterId: string; state: string }) => {
    const before = this.#states.get(cluster.clusterId);
    this.#states.set(cluster.clusterId, cluster.state);
    const controller = this.#ensure(cluster.clusterId);
    // With replicas the tunnel may be on another replica than this controller: its coming
    // back is seen here as the cluster turning Active in the store.
    if (cluster.state === 'Active' && before !== undefined && before !== 'Active') controller?.connected();
  };

  constructor(options: AccessControllersOptions) {
    this.#options = options;
    for (const cluster of options.registry.list()) this.#ensure(cluster.clusterId);
    options.service.on('changed', this.#onChanged);
    options.connections.on('connected', this.#onConnected);
    options.registry.on('removed', this.#onRemoved);
    options.registry.on('change', this.#onRegistryChange);
  }

  #ensure(clusterId: string): ClusterAccessController | undefined {
    const known = this.#controllers.get(clusterId);
    if (known) return known;
    if (!this.#options.registry.get(clusterId)) return undefined;
    if (this.#owns && !this.#owns(clusterId)) return undefined;
    const { kube, service, log } = this.#options;
    const controller = new ClusterAccessController({
      clusterId,
      kube,
      store: service.store,
      templates: () => service.templates(),
      log,
    });
    this.#controllers.set(clusterId, controller);
    return controller;
  }

  #stop(clusterId: string): void {
    this.#states.delete(clusterId);
    this.#controllers.get(clusterId)?.stop();
    this.#controllers.delete(clusterId);
  }

  /**
   * With replicas (docs/replicas.md §6): runs only the controllers of the clusters `owns`
   * says this replica owns, so that one replica writes each cluster's RBAC and statuses.
   */
  runOwnedOnly(owns: (clusterId: string) => boolean): void {
    this.#owns = owns;
    for (const clusterId of [...this.#controllers.keys()]) if (!owns(clusterId)) this.#stop(clusterId);
  }

  /** This replica became a cluster's owner: its controller starts with a full pass. */
  acquired(clusterId: string): void {
    this.#ensure(clusterId)?.policyChanged();
  }

  /** Another replica owns the cluster now: this one stops (what it wrote stays for the new owner's controller). */
  released(clusterId: string): void {
    this.#stop(clusterId);
  }

  /** A cluster's controller (started if the cluster is registered and it was not yet). */
  controller(clusterId: string): ClusterAccessController | undefined {
    return this.#ensure(clusterId);
  }

  /** The clusters whose controllers run in this process. */
  running(): string[] {
    return [...this.#controllers.keys()].sort();
  }

  /** Writes made by every controller since they started. */
  get writes(): number {
    let total = 0;
    for (const controller of this.#controllers.values()) total += controller.writes;
    return total;
  }

  close(): void {
    const { service, connections, registry } = this.#options;
    service.off('changed', this.#onChanged);
    connections.off('connected', this.#onConnected);
    registry.off('removed', this.#onRemoved);
    registry.off('change', this.#onRegistryChange);
    for (const controller of this.#controllers.values()) controller.stop();
    this.#controllers.clear();
  }
}
