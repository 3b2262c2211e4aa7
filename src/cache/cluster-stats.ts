import { GatewayError } from '../errors/gateway-error.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import type { KubeObject, Node, Pod } from '../kube/objects.ts';
import { parseQuantity } from '../kube/quantity.ts';
import type { CacheListener } from './collection-cache.ts';
import type { ListCaches } from './list-caches.ts';

/** A cluster's size and load, as the stats field reports it. */
export interface ClusterStatsValue {
  readonly nodeCount: number;
  readonly readyNodes: number;
  readonly cpuCapacityCores: number;
  readonly cpuAllocatableCores: number;
  readonly cpuRequestedCores: number;
  readonly memoryCapacityBytes: number;
  readonly memoryAllocatableBytes: number;
  readonly memoryRequestedBytes: number;
  readonly podsByPhase: Record<string, number>;
}

/** CPU is summed in whole millicores, so that adding and taking away never drifts. */
function milliCores(quantity: string | undefined): number {
  const cores = parseQuantity(quantity);
  return Number.isFinite(cores) ? Math.round(cores * 1000) : 0;
}

function bytes(quantity: string | undefined): number {
  const value = parseQuantity(quantity);
  return Number.isFinite(value) ? Math.round(value) : 0;
}

/** Running totals of one cluster's nodes, kept by following its node cache. */
class NodeTotals implements CacheListener {
  count = 0;
  ready = 0;
  cpuCapacityMilli = 0;
  cpuAllocatableMilli = 0;
  memoryCapacity = 0;
  memoryAllocatable = 0;

  reset(): void {
    this.count = this.ready = this.cpuCapacityMilli = this.cpuAllocatableMilli = 0;
    this.memoryCapacity = this.memoryAllocatable = 0;
  }

  change(previous: KubeObject | undefined, next: KubeObject | undefined): void {
    if (previous) this.#add(previous as Node, -1);
    if (next) this.#add(next as Node, 1);
  }

  #add(node: Node, sign: 1 | -1): void {
    const status = node.status;
    this.count += sign;
    if (status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) this.ready += sign;
    this.cpuCapacityMilli += sign * milliCores(status?.capacity?.cpu);
    this.cpuAllocatableMilli += sign * milliCores(status?.allocatable?.cpu);
    this.memoryCapacity += sign * bytes(status?.capacity?.memory);
    this.memoryAllocatable += sign * bytes(status?.allocatable?.memory);
  }
}

/** Running totals of one cluster's pods, kept by following its pod cache. */
class PodTotals implements CacheListener {
  byPhase = new Map<string, number>();
  cpuRequestedMilli = 0;
  memoryRequested = 0;

  reset(): void {
    this.byPhase = new Map();
    this.cpuRequestedMilli = this.memoryRequested = 0;
  }

  change(previous: KubeObject | undefined, next: KubeObject | undefined): void {
    if (previous) this.#add(previous as Pod, -1);
    if (next) this.#add(next as Pod, 1);
  }

  #add(pod: Pod, sign: 1 | -1): void {
    const phase = pod.status?.phase ?? 'Unknown';
    const count = (this.byPhase.get(phase) ?? 0) + sign;
    if (count === 0) this.byPhase.delete(phase);
    else this.byPhase.set(phase, count);
    // Requests count only for pods that hold resources (not finished ones).
    if (phase === 'Succeeded' || phase === 'Failed') return;
    for (const container of pod.spec?.containers ?? []) {
      this.cpuRequestedMilli += sign * milliCores(container.resources?.requests?.cpu as string | undefined);
      this.memoryRequested += sign * bytes(container.resources?.requests?.memory as string | undefined);
    }
  }
}

/** A listener that keeps `totals` and calls `stopped` when its cache stops. */
function following(totals: CacheListener, stopped: () => void): CacheListener {
  return {
    reset: () => totals.reset(),
    change: (previous, next) => totals.change(previous, next),
    stopped,
  };
}

interface ClusterTotals {
  readonly nodes: NodeTotals;
  readonly pods: PodTotals;
}

/** Where cluster stats come from: this process's caches, or a cluster's owner replica. */
export interface StatsSource {
  /** The cluster's stats now; CLUSTER_UNAVAILABLE when they cannot be had. */
  of(clusterId: string): Promise<ClusterStatsValue>;
}

/**
 * Cluster stats computed from the gateway's watch-backed caches of nodes and pods: totals
 * are kept up to date change by change, so asking costs nothing and no cluster is listed
 * again for it. The caches read with the agent's own identity: stats describe the
 * cluster, not what one person may see of it.
 */
export class ClusterStats implements StatsSource {
  readonly #caches: ListCaches;
  readonly #totals = new Map<string, ClusterTotals>();

  constructor(caches: ListCaches) {
    this.#caches = caches;
  }

  /** The clusters whose totals this process keeps now (for the replicas API). */
  keptFor(): string[] {
    return [...this.#totals.keys()].sort();
  }

  /** The cluster's stats now; CLUSTER_UNAVAILABLE when its caches are not in service. */
  async of(clusterId: string): Promise<ClusterStatsValue> {
    const nodeCache = this.#caches.cacheFor(clusterId, { group: '', version: 'v1', resource: 'nodes' });
    const podCache = this.#caches.cacheFor(clusterId, { group: '', version: 'v1', resource: 'pods' });
    const [nodesReady, podsReady] = await Promise.all([
      nodeCache.ready(CLUSTER_TIMEOUT_MS),
      podCache.ready(CLUSTER_TIMEOUT_MS),
    ]);
    if (!nodesReady || !podsReady) {
      const why = nodeCache.lastError ?? podCache.lastError ?? 'still listing its nodes and pods';
      throw new GatewayError('CLUSTER_UNAVAILABLE', `cluster ${clusterId}: stats unavailable: ${why}`, {
        clusterId,
      });
    }
    let totals = this.#totals.get(clusterId);
    if (!totals) {
      const created: ClusterTotals = { nodes: new NodeTotals(), pods: new PodTotals() };
      // A cache that stops (idle, or its cluster removed) takes the totals with it; they are
      // made again from a new cache when asked.
      const forget = () => {
        unfollowNodes();
        unfollowPods();
        if (this.#totals.get(clusterId) === created) this.#totals.delete(clusterId);
      };
      const unfollowNodes = nodeCache.follow(following(created.nodes, forget));
      const unfollowPods = podCache.follow(following(created.pods, forget));
      this.#totals.set(clusterId, created);
      totals = created;
    }
    const { nodes, pods } = totals;
    return {
      nodeCount: nodes.count,
      readyNodes: nodes.ready,
      cpuCapacityCores: nodes.cpuCapacityMilli / 1000,
      cpuAllocatableCores: nodes.cpuAllocatableMilli / 1000,
      cpuRequestedCores: pods.cpuRequestedMilli / 1000,
      memoryCapacityBytes: nodes.memoryCapacity,
      memoryAllocatableBytes: nodes.memoryAllocatable,
      memoryRequestedBytes: pods.memoryRequested,
      podsByPhase: Object.fromEntries(pods.byPhase),
    };
  }
}
