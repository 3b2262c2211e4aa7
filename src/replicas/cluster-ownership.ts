import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceView } from '../management/resource-view.ts';
import type { Logger } from '../shared/log/logger.ts';
import { decodeLease, type LeaseRecord, leaseHeld, leaseObject, leaseView, renewLease } from './leases.ts';
import { rendezvousOrder } from './rendezvous.ts';
import type { ReplicaMembership } from './replica-membership.ts';

/**
 * A cluster's Lease lasts this long without renewal. Longer than a replica's: the takeover
 * after a death waits for the replica's Lease (10 s), not this one, so renewals can be rarer
 * (one write per owned cluster every CLUSTER_RENEW_MS is the steady cost in the store).
 */
export const CLUSTER_LEASE_SECONDS = 30;
/** How often owned clusters' Leases are renewed. */
export const CLUSTER_RENEW_MS = 10_000;
/** How often ownership is reconsidered (membership changes also trigger it). */
const RECONCILE_MS = 2_000;
/** Lease writes at once, so thousands of clusters changing hands do not burst the store. */
const WRITE_CONCURRENCY = 16;

export interface ClusterOwnershipOptions {
  readonly kube: KubeClient;
  readonly namespace: string;
  readonly membership: ReplicaMembership;
  /** The registered clusters, now. */
  readonly clusterIds: () => readonly string[];
  readonly log: Logger;
  readonly clock?: () => Date;
}

const leaseName = (clusterId: string) => `fleetgate-cluster-${clusterId}`;

/**
 * Which replica does each cluster's per-cluster work (docs/replicas.md §6): the first of
 * the live replicas in rendezvous order, made exclusive by a per-cluster Lease it takes and
 * renews. It takes a Lease held by a replica that is no longer live at once, so work moves
 * within a replica Lease's duration (10 s) and a reconcile (2 s) of a death. A replica whose
 * own Lease is not current owns nothing.
 */
export class ClusterOwnership extends EventEmitter<{
  acquired: [clusterId: string];
  released: [clusterId: string];
}> {
  readonly #options: ClusterOwnershipOptions;
  readonly #view: ResourceView<LeaseRecord>;
  readonly #clock: () => Date;
  readonly #owned = new Set<string>();
  readonly #renewedAt = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #reconciling: Promise<void> | undefined;
  #closed = false;

  private constructor(options: ClusterOwnershipOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#view = leaseView({
      kube: options.kube,
      namespace: options.namespace,
      role: 'cluster',
      log: options.log,
    });
    this.#timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.#timer.unref();
    options.membership.on('changed', () => void this.reconcile());
  }

  static async start(options: ClusterOwnershipOptions): Promise<ClusterOwnership> {
    const ownership = new ClusterOwnership(options);
    await ownership.#view.ready;
    await ownership.reconcile();
    return ownership;
  }

  /** True when this replica does the cluster's per-cluster work now. */
  owns(clusterId: string): boolean {
    return this.#owned.has(clusterId) && this.#options.membership.current;
  }

  /** The clusters this replica owns. */
  owned(): string[] {
    return this.#options.membership.current ? [...this.#owned].sort() : [];
  }

  /** Who holds a cluster's Lease now, as the store says (undefined: nobody yet). */
  ownerOf(clusterId: string): string | undefined {
    const lease = this.#view.get(leaseName(clusterId));
    return lease && leaseHeld(lease, this.#clock().getTime()) ? (lease.holder ?? undefined) : undefined;
  }

  /** Takes, renews or gives up each cluster's Lease as the rendezvous order says. */
  reconcile(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#reconciling ??= this.#reconcileOnce().finally(() => {
      this.#reconciling = undefined;
    });
    return this.#reconciling;
  }

  async #reconcileOnce(): Promise<void> {
    const me = this.#options.membership.replicaId;
    const live = this.#options.membership.liveIds();
    const clusterIds = this.#options.clusterIds();
    const known = new Set(clusterIds);
    const work: (() => Promise<void>)[] = [];
    for (const clusterId of clusterIds) {
      const preferred = rendezvousOrder(clusterId, live)[0];
      if (preferred === me && this.#options.membership.current) work.push(() => this.#hold(clusterId, live));
      else if (this.#owned.has(clusterId)) work.push(() => this.#release(clusterId));
    }
    // Removed clusters: their Leases go with them.
    for (const clusterId of this.#owned) if (!known.has(clusterId)) work.push(() => this.#release(clusterId));
    for (let i = 0; i < work.length && !this.#closed; i += WRITE_CONCURRENCY)
      await Promise.all(work.slice(i, i + WRITE_CONCURRENCY).map((each) => each()));
  }

  async #hold(clusterId: string, live: readonly string[]): Promise<void> {
    const me = this.#options.membership.replicaId;
    const now = this.#clock();
    const name = leaseName(clusterId);
    const lease = this.#view.get(name);
    if (this.#closed) return;
    if (
      this.#owned.has(clusterId) &&
      now.getTime() - (this.#renewedAt.get(clusterId) ?? 0) < CLUSTER_RENEW_MS
    )
      return;
    try {
      if (!lease) {
        await this.#view.create(
          leaseObject({ name, role: 'cluster', holder: me, durationSeconds: CLUSTER_LEASE_SECONDS, at: now }),
        );
      } else {
        const taken = await this.#view.update(name, (object) => {
          const current = decodeLease(object);
          // Still held by a live replica other than this one: wait for it to give it up.
          if (
            current &&
            current.holder !== me &&
            current.holder !== null &&
            live.includes(current.holder) &&
            leaseHeld(current, now.getTime())
          )
            return undefined;
          return renewLease(object, me, now);
        });
        if (!taken) return;
      }
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'CONFLICT') return;
      this.#options.log.warn({ clusterId, err: error }, 'could not take a cluster Lease');
      return;
    }
    this.#renewedAt.set(clusterId, now.getTime());
    // Closed while this write was out: the Lease goes with the others.
    if (this.#closed) {
      await this.#view.delete(name).catch(() => false);
      return;
    }
    if (!this.#owned.has(clusterId)) {
      this.#owned.add(clusterId);
      this.emit('acquired', clusterId);
    }
  }

  async #release(clusterId: string): Promise<void> {
    this.#owned.delete(clusterId);
    this.#renewedAt.delete(clusterId);
    this.emit('released', clusterId);
    const lease = this.#view.get(leaseName(clusterId));
    // Deleted rather than left to expire: the next owner takes it at its next reconcile.
    if (lease?.holder === this.#options.membership.replicaId)
      await this.#view.delete(leaseName(clusterId)).catch((error: unknown) => {
        this.#options.log.warn(
          { clusterId, err: error },
          'could not release a cluster Lease; it expires by itself',
        );
      });
  }

  /** Gives up every Lease (a replica leaving). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    // A reconcile under way could take a Lease back after it was released.
    await this.#reconciling?.catch(() => {});
    await Promise.all([...this.#owned].map((clusterId) => this.#release(clusterId)));
    this.#view.stop();
  }
}
