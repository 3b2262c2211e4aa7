import type { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import { Informer } from '../kube/informer.ts';
import type { CallTarget, KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROJECT_LABEL } from './access-model.ts';
import { fingerprintOf, MANAGED_KINDS, type ManagedKind, objectKey } from './rbac-render.ts';

/** An object of a managed kind as the controller last saw it in the cluster. */
export interface Observed {
  readonly kind: ManagedKind;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly fingerprint: string;
}

/** Why the controller cannot see its cluster now. */
export interface Unreachable {
  readonly message: string;
  readonly forbidden: boolean;
}

const NOT_LISTED_YET: Unreachable = {
  message: 'waiting for the first list of the cluster',
  forbidden: false,
};

const WATCHED: readonly { kind: ManagedKind; path: string; labelSelector: string }[] = [
  {
    kind: 'ClusterRole',
    path: MANAGED_KINDS.ClusterRole.collection,
    labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
  },
  {
    kind: 'ClusterRoleBinding',
    path: MANAGED_KINDS.ClusterRoleBinding.collection,
    labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
  },
  {
    kind: 'RoleBinding',
    path: MANAGED_KINDS.RoleBinding.collection,
    labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
  },
  { kind: 'Namespace', path: MANAGED_KINDS.Namespace.collection, labelSelector: PROJECT_LABEL },
];

/**
 * What a cluster's access controller sees there: the objects of the four kinds it manages
 * (by label), kept by their fingerprints from informers run as the agent, and whether the
 * cluster can be seen at all. Every change seen calls `changed`.
 */
export class ManagedObjects {
  readonly #kube: KubeClient;
  readonly #clusterId: string;
  readonly #target: CallTarget;
  readonly #changed: () => void;
  readonly #observed = new Map<string, Observed>();
  readonly #listed = new Set<ManagedKind>();
  #informers: Informer[] = [];
  /** Why the cluster cannot be seen now (undefined once every kind is listed). */
  #unreachable: Unreachable | undefined = NOT_LISTED_YET;

  constructor(options: { clusterId: string; kube: KubeClient; changed: () => void }) {
    this.#kube = options.kube;
    this.#clusterId = options.clusterId;
    this.#target = { clusterId: options.clusterId, as: AGENT_IDENTITY };
    this.#changed = options.changed;
  }

  /** Whether its informers run. */
  get watching(): boolean {
    return this.#informers.length > 0;
  }

  /** Why the cluster cannot be seen now, or undefined once every kind is listed. */
  get unreachable(): Unreachable | undefined {
    return this.#unreachable;
  }

  /** How many objects it sees. */
  get size(): number {
    return this.#observed.size;
  }

  /** An object as last seen, by its key (rbac-render.ts `objectKey`). */
  get(key: string): Observed | undefined {
    return this.#observed.get(key);
  }

  /** Every object as last seen, with its key. */
  entries(): [string, Observed][] {
    return [...this.#observed.entries()];
  }

  /** Starts the informers of the four kinds. */
  watch(): void {
    this.#informers = WATCHED.map(
      ({ kind, path, labelSelector }) =>
        new Informer(
          {
            kube: this.#kube,
            clusterId: this.#clusterId,
            as: AGENT_IDENTITY,
            path: () => path,
            mode: 'list',
            labelSelector,
          },
          {
            listed: (objects) => {
              for (const [key, seen] of this.#observed) if (seen.kind === kind) this.#observed.delete(key);
              for (const object of objects) this.see(kind, object);
              this.#listed.add(kind);
              if (this.#listed.size === WATCHED.length) this.#unreachable = undefined;
              this.#changed();
            },
            changed: (type, object) => {
              if (type === 'DELETED')
                this.#observed.delete(
                  objectKey(kind, object.metadata?.namespace, object.metadata?.name ?? ''),
                );
              else this.see(kind, object);
              this.#changed();
            },
            position: () => {
              // A watch resumed after a failure without listing again: reachable again.
              if (this.#listed.size === WATCHED.length && this.#unreachable !== undefined) {
                this.#unreachable = undefined;
                this.#changed();
              }
            },
            failed: (error: GatewayError) => {
              this.#unreachable = { message: error.message, forbidden: error.code === 'CLUSTER_FORBIDDEN' };
              this.#changed();
            },
          },
        ),
    );
  }

  /** Stops the informers and forgets what they saw. */
  unwatch(): void {
    this.stopInformers();
    this.#informers = [];
    this.#observed.clear();
    this.#listed.clear();
    this.#unreachable = NOT_LISTED_YET;
  }

  /** Stops the informers, keeping what they saw (the controller is stopping). */
  stopInformers(): void {
    for (const informer of this.#informers) informer.stop();
  }

  /** Lists again now rather than after the backoff (the agent connected). */
  wake(): void {
    for (const informer of this.#informers) informer.wake();
  }

  /** Whether the cluster holds any object of the four kinds under the gateway's label (one small list each). */
  async anyInCluster(): Promise<boolean> {
    for (const { path, labelSelector } of WATCHED) {
      const page = await this.#kube.listPage(this.#target, path, { labelSelector, limit: 1 });
      if ((page.items ?? []).length > 0) return true;
    }
    return false;
  }

  /** Records an object as seen (the controller's own writes too, from their answers). */
  see(kind: ManagedKind, object: KubeObject): void {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace;
    this.#observed.set(objectKey(kind, namespace, name), {
      kind,
      namespace,
      name,
      fingerprint: fingerprintOf({ ...object, kind }),
    });
  }

  /** Forgets an object (deleted, or found gone). */
  forget(key: string): void {
    this.#observed.delete(key);
  }
}
