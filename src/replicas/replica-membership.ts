import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceView } from '../management/resource-view.ts';
import type { Logger } from '../shared/log/logger.ts';
import {
  type LeaseRecord,
  leaseHeld,
  leaseObject,
  leaseView,
  PEER_ADDRESS_ANNOTATION,
  renewLease,
} from './leases.ts';

/** A replica's Lease lasts this long without renewal (docs/replicas.md §4). */
export const REPLICA_LEASE_SECONDS = 10;
/** A replica renews its Lease this often. */
export const REPLICA_RENEW_MS = 2_000;

/** A live replica, as its Lease says. */
export interface ReplicaInfo {
  readonly replicaId: string;
  readonly peerAddress: string | null;
  readonly renewedAt: string;
}

export interface ReplicaMembershipOptions {
  readonly kube: KubeClient;
  readonly namespace: string;
  readonly replicaId: string;
  /** Where peers reach this replica. */
  readonly peerAddress: string;
  readonly log: Logger;
  readonly clock?: () => Date;
}

const leaseName = (replicaId: string) => `fleetgate-replica-${replicaId}`;

/**
 * This replica's Lease in the management cluster, renewed every 2 s, and the set of live
 * replicas read from everyone's Leases (docs/replicas.md §4). `changed` fires when the set
 * changes (a replica came, or its Lease expired or was released).
 */
export class ReplicaMembership extends EventEmitter<{ changed: [replicaIds: readonly string[]] }> {
  readonly #options: ReplicaMembershipOptions;
  readonly #view: ResourceView<LeaseRecord>;
  readonly #clock: () => Date;
  readonly #timer: NodeJS.Timeout;
  #lastRenewedMs = 0;
  #live: readonly string[] = [];
  #closed = false;
  #ticking: Promise<void> | undefined;

  private constructor(options: ReplicaMembershipOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#view = leaseView({
      kube: options.kube,
      namespace: options.namespace,
      role: 'replica',
      log: options.log,
    });
    this.#view.on('changedElsewhere', () => this.#recompute());
    this.#timer = setInterval(() => {
      this.#ticking ??= this.#tick().finally(() => {
        this.#ticking = undefined;
      });
    }, REPLICA_RENEW_MS);
    this.#timer.unref();
  }

  /** Takes this replica's Lease and reads everyone's; resolves once both are done. */
  static async join(options: ReplicaMembershipOptions): Promise<ReplicaMembership> {
    const membership = new ReplicaMembership(options);
    await membership.#view.ready;
    await membership.#renew();
    membership.#recompute();
    return membership;
  }

  get replicaId(): string {
    return this.#options.replicaId;
  }

  /** The live replicas' ids, sorted; this one only while its own Lease is current. */
  liveIds(): readonly string[] {
    return this.#live;
  }

  /** The live replicas with their peer addresses. */
  live(): ReplicaInfo[] {
    const now = this.#clock().getTime();
    return this.#view
      .values()
      .filter((lease) => leaseHeld(lease, now) && lease.holder !== null)
      .map((lease) => ({
        replicaId: lease.holder as string,
        peerAddress: lease.peerAddress,
        renewedAt: new Date(lease.renewedAtMs).toISOString(),
      }))
      .sort((a, b) => (a.replicaId < b.replicaId ? -1 : 1));
  }

  /** True while this replica's own Lease is current: a replica cut off must stop owning work. */
  get current(): boolean {
    return this.#clock().getTime() - this.#lastRenewedMs < REPLICA_LEASE_SECONDS * 1000;
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    await this.#renew().catch((error: unknown) =>
      this.#options.log.warn({ err: error }, 'could not renew the replica Lease'),
    );
    this.#recompute();
  }

  async #renew(): Promise<void> {
    const name = leaseName(this.#options.replicaId);
    const at = this.#clock();
    const annotate = (object: ReturnType<typeof renewLease>) => {
      const metadata = (object as { metadata?: { annotations?: Record<string, string> } }).metadata ?? {};
      metadata.annotations = {
        ...metadata.annotations,
        [PEER_ADDRESS_ANNOTATION]: this.#options.peerAddress,
      };
      return object;
    };
    const renewed = await this.#view.update(name, (object) =>
      annotate(renewLease(object, this.#options.replicaId, at)),
    );
    if (!renewed) {
      try {
        await this.#view.create(
          leaseObject({
            name,
            role: 'replica',
            holder: this.#options.replicaId,
            durationSeconds: REPLICA_LEASE_SECONDS,
            at,
            annotations: { [PEER_ADDRESS_ANNOTATION]: this.#options.peerAddress },
          }),
        );
      } catch (error) {
        // Created by this replica's previous life between the view and now: renew next tick.
        if (!(error instanceof GatewayError && error.code === 'CONFLICT')) throw error;
        return;
      }
    }
    this.#lastRenewedMs = at.getTime();
  }

  #recompute(): void {
    const ids = this.live()
      .map((replica) => replica.replicaId)
      .filter((id) => id !== this.#options.replicaId || this.current);
    if (ids.join('\n') === this.#live.join('\n')) return;
    this.#live = ids;
    this.emit('changed', ids);
  }

  /** Stops renewing and deletes this replica's Lease, so peers see it leave at once. */
  async leave(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    // A renewal under way could create the Lease again after it was deleted.
    await this.#ticking;
    await this.#view.delete(leaseName(this.#options.replicaId)).catch((error: unknown) => {
      this.#options.log.warn({ err: error }, 'could not release the replica Lease; it expires by itself');
    });
    this.#view.stop();
  }
}
