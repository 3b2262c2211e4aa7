import type { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { CallTarget, KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../shared/log/logger.ts';
import {
  ACCESS_FIELD_MANAGER,
  type MembershipStatus,
  PROJECT_LABEL,
  RBAC_NAME_PREFIX,
  type RoleTemplate,
} from './access-model.ts';
import type { AccessStore } from './access-repository.ts';
import { ManagedObjects, type Observed } from './managed-objects.ts';
import {
  type DesiredObject,
  fingerprintOf,
  objectPath,
  releasedNamespace,
  renderCluster,
} from './rbac-render.ts';

/** Timing and bounds of a cluster's controller (docs/access-control.md). */
export const CONTROLLER_TIMING = {
  /** A pass runs this long after the change that asked for it (changes arriving together share it). */
  debounceMs: 200,
  /** A full pass runs this often even when nothing was seen to change. */
  resyncMs: 5 * 60_000,
  /** After a pass with failures, the next one runs this long after (doubling up to retryMaxMs). */
  retryBaseMs: 1_000,
  retryMaxMs: 20_000,
  /** Writes in flight at once to one cluster. */
  concurrentWrites: 8,
} as const;

/** What a pass did. */
export interface PassResult {
  readonly applied: number;
  readonly deleted: number;
  readonly failed: number;
}

export interface ClusterAccessControllerOptions {
  readonly clusterId: string;
  readonly kube: KubeClient;
  readonly store: AccessStore;
  /** Every template, built-in and custom, as they are now. */
  readonly templates: () => ReadonlyMap<string, RoleTemplate>;
  readonly log: Logger;
  readonly clock?: () => Date;
}

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * One cluster's access controller (docs/access-control.md, "The cluster controller"): it
 * watches the objects it manages there, renders the policy, applies what differs (by
 * fingerprint: nothing that already agrees is written), deletes what no membership asks
 * for, and records each membership's status. It runs as the agent.
 */
export class ClusterAccessController {
  readonly clusterId: string;
  readonly #options: ClusterAccessControllerOptions;
  readonly #target: CallTarget;
  readonly #objects: ManagedObjects;
  /** Namespaces whose project label another field manager holds: fingerprint when last released. */
  readonly #foreignLabels = new Map<string, string>();
  /** Whether an idle controller has looked for leftovers since the process started. */
  #swept = false;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #running: Promise<PassResult> | undefined;
  #again = false;
  #failedPasses = 0;
  #stopped = false;
  /** Writes made since the controller started (applies and deletes), for benchmarks and tests. */
  writes = 0;

  constructor(options: ClusterAccessControllerOptions) {
    this.clusterId = options.clusterId;
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#target = { clusterId: options.clusterId, as: AGENT_IDENTITY };
    this.#objects = new ManagedObjects({
      clusterId: options.clusterId,
      kube: options.kube,
      changed: () => this.requestPass(),
    });
    if (this.#hasPolicy()) this.#activate();
  }

  /** Whether it is watching its cluster (it is while the cluster has any policy or leftovers). */
  get active(): boolean {
    return this.#objects.watching;
  }

  #hasPolicy(): boolean {
    const { store } = this.#options;
    return (
      store.memberships({ clusterId: this.clusterId }).length > 0 || store.projects(this.clusterId).length > 0
    );
  }

  /**
   * Starts watching what it manages. A cluster with no policy is not watched (four watches
   * per cluster would cost every idle cluster of a large fleet a tunnel's long-lived streams).
   */
  #activate(): void {
    if (this.#stopped || this.active) return;
    this.#objects.watch();
    this.#resync = setInterval(() => this.requestPass(0), CONTROLLER_TIMING.resyncMs);
    this.#resync.unref();
  }

  /** Stops watching once nothing is desired nor left in the cluster. */
  #deactivate(): void {
    this.#objects.unwatch();
    clearInterval(this.#resync);
  }

  /** The policy of its cluster (or every template) changed. */
  policyChanged(): void {
    if (!this.active && this.#hasPolicy()) this.#activate();
    if (this.active) this.requestPass();
  }

  /**
   * The cluster's agent connected: watching, it lists again now rather than after the
   * backoff; idle, it looks once (per process) for objects of its label left from before,
   * and starts watching to remove them if there are any.
   */
  connected(): void {
    if (this.active) {
      this.#objects.wake();
      return;
    }
    if (this.#swept || this.#stopped) return;
    this.#swept = true;
    void this.#sweep().catch(() => {
      this.#swept = false; // looked at again on the next connection
    });
  }

  async #sweep(): Promise<void> {
    if (await this.#objects.anyInCluster()) this.#activate();
  }

  /** Asks for a pass after `delayMs` (default: the debounce); passes never overlap. */
  requestPass(delayMs: number = CONTROLLER_TIMING.debounceMs): void {
    if (this.#stopped) return;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.passNow().catch((error: Error) =>
        this.#options.log.error({ clusterId: this.clusterId, err: error.message }, 'access pass failed'),
      );
    }, delayMs);
    this.#timer.unref();
  }

  /** Runs a pass now (or after the one running), and answers what it did. */
  async passNow(): Promise<PassResult> {
    if (this.#running) {
      this.#again = true;
      return this.#running.then(() => this.passNow());
    }
    this.#running = this.#pass();
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.requestPass(0);
      }
    }
  }

  async #pass(): Promise<PassResult> {
    const { store } = this.#options;
    const memberships = store.memberships({ clusterId: this.clusterId });
    const unreachable = this.#objects.unreachable;
    if (unreachable !== undefined) {
      // Refused: the agent lacks the rights (an older install manifest), an error to act on;
      // anything else (no tunnel, a timeout) passes by itself.
      const status = unreachable.forbidden
        ? this.#status('Error', `the agent may not manage RBAC here: ${unreachable.message}`)
        : this.#status('Pending', `cluster not reachable: ${unreachable.message}`);
      this.#record(new Map(memberships.map((m) => [m.membershipId, status])), memberships);
      return { applied: 0, deleted: 0, failed: 0 };
    }
    const desired = renderCluster({
      memberships,
      projects: store.projects(this.clusterId),
      templates: this.#options.templates(),
    });
    const errors = new Map<string, string>();
    let applied = 0;
    let deleted = 0;
    const apply = (object: DesiredObject) => async () => {
      try {
        const answer = await this.#options.kube.patch(this.#target, object.path, 'apply', object.object, {
          fieldManager: ACCESS_FIELD_MANAGER,
          force: true,
        });
        this.writes++;
        applied++;
        this.#objects.see(object.kind, answer);
      } catch (error) {
        errors.set(object.key, (error as Error).message);
      }
    };
    const stale = (desiredObjects: DesiredObject[]) =>
      desiredObjects.filter((d) => this.#objects.get(d.key)?.fingerprint !== d.fingerprint);
    const all = [...desired.values()];
    // Namespaces and roles first: a binding needs its namespace, and points at its role.
    const first = stale(all.filter((d) => d.kind === 'Namespace' || d.kind === 'ClusterRole'));
    await inParallel(first.map(apply), CONTROLLER_TIMING.concurrentWrites);
    const bindings = stale(all.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding'));
    await inParallel(bindings.map(apply), CONTROLLER_TIMING.concurrentWrites);
    const unwanted = this.#objects.entries().filter(([key, seen]) => this.#mayRemove(key, seen, desired));
    await inParallel(
      unwanted.map(([key, seen]) => async () => {
        try {
          if (seen.kind === 'Namespace') {
            // Released, never deleted: only the project label (ours) goes.
            const answer = await this.#options.kube.patch(
              this.#target,
              objectPath('Namespace', undefined, seen.name),
              'apply',
              releasedNamespace(seen.name),
              { fieldManager: ACCESS_FIELD_MANAGER, force: true },
            );
            // A label someone else set stays: leave it, or every pass would write again.
            if (answer.metadata?.labels?.[PROJECT_LABEL] !== undefined)
              this.#foreignLabels.set(key, fingerprintOf({ ...answer, kind: 'Namespace' }));
          } else {
            await this.#options.kube.delete(this.#target, objectPath(seen.kind, seen.namespace, seen.name));
          }
          this.writes++;
          deleted++;
          this.#objects.forget(key);
        } catch (error) {
          if ((error as GatewayError).code === 'RESOURCE_NOT_FOUND') this.#objects.forget(key);
          else errors.set(key, (error as Error).message);
        }
      }),
      CONTROLLER_TIMING.concurrentWrites,
    );
    const statuses = new Map<string, MembershipStatus>();
    for (const membership of memberships) statuses.set(membership.membershipId, this.#status('Applied', ''));
    for (const object of desired.values()) {
      const error = errors.get(object.key);
      if (error === undefined) continue;
      for (const membershipId of object.membershipIds)
        statuses.set(
          membershipId,
          this.#status('Error', `${object.kind} ${object.object.metadata?.name}: ${error}`.slice(0, 1024)),
        );
    }
    this.#record(statuses, memberships);
    if (errors.size > 0) {
      this.#failedPasses++;
      this.requestPass(
        Math.min(CONTROLLER_TIMING.retryMaxMs, CONTROLLER_TIMING.retryBaseMs * 2 ** (this.#failedPasses - 1)),
      );
    } else {
      this.#failedPasses = 0;
      if (desired.size === 0 && this.#objects.size === 0) this.#deactivate();
    }
    return { applied, deleted, failed: errors.size };
  }

  /**
   * Whether an observed object no membership asks for may go: only RBAC objects with the
   * gateway's name prefix (a label alone, which anyone who can edit an object can add,
   * never makes the controller delete it), and namespaces whose project label is not one it
   * already failed to remove.
   */
  #mayRemove(key: string, seen: Observed, desired: ReadonlyMap<string, DesiredObject>): boolean {
    if (desired.has(key)) return false;
    if (seen.kind === 'Namespace') return this.#foreignLabels.get(key) !== seen.fingerprint;
    return seen.name.startsWith(RBAC_NAME_PREFIX);
  }

  #status(state: MembershipStatus['state'], message: string): MembershipStatus {
    return { state, message, at: this.#clock().toISOString() };
  }

  /** Stores the statuses that changed (state or message): an unchanged one is not rewritten. */
  #record(
    statuses: ReadonlyMap<string, MembershipStatus>,
    memberships: readonly { membershipId: string; status: MembershipStatus }[],
  ): void {
    const changed = new Map<string, MembershipStatus>();
    for (const membership of memberships) {
      const next = statuses.get(membership.membershipId);
      if (next && (next.state !== membership.status.state || next.message !== membership.status.message))
        changed.set(membership.membershipId, next);
    }
    // Statuses are learnt again on the next pass: a failed write is logged, not retried.
    this.#options.store
      .setStatuses(changed)
      .catch((error: unknown) => this.#options.log.warn({ err: error }, 'membership statuses not recorded'));
  }

  /** Stops watching; what it wrote stays in the cluster. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#resync);
    this.#objects.stopInformers();
  }
}
