import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { Logger } from '../shared/log/logger.ts';
import { MANAGEMENT_CLUSTER } from './management-transport.ts';

/** A view that has lost its watch for longer than this stops vouching for what it holds (docs/replicas.md §3). */
export const VIEW_STALE_AFTER_MS = 2_000;
/** Attempts of one write that meets other writers' changes (409) before it gives up. */
const MAX_WRITE_ATTEMPTS = 8;
/** Bound on the resourceVersions of writes whose watch events have not come back yet. */
const MAX_OWN_WRITES = 10_000;

const target = { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY };

/** Turns an object of the collection into a record; undefined for one that is not ours or malformed. */
export type Decoder<T> = (object: KubeObject) => T | undefined;

interface Entry<T> {
  readonly object: KubeObject;
  readonly value: T;
}

export interface ResourceViewOptions {
  readonly kube: KubeClient;
  /** The namespaced collection, e.g. /apis/fleetgate.dev/v1alpha1/namespaces/NS/fleetgateusers. */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly log: Logger;
}

export interface ResourceViewEvents<T> {
  /** Someone else (another replica, kubectl) changed or removed an object (`value` undefined). */
  changedElsewhere: [name: string, value: T | undefined, previous: T | undefined];
}

function versionOf(object: KubeObject | undefined): bigint | undefined {
  const text = object?.metadata?.resourceVersion;
  return text && /^\d{1,30}$/.test(text) ? BigInt(text) : undefined;
}

/**
 * An in-memory view of one collection of the management cluster, fed by an `Informer`
 * (docs/replicas.md §3): reads answer from memory; writes go to the apiserver, one at a
 * time per object, as read-change-replace with the object's resourceVersion as
 * precondition (retried on 409), and the answer is in the view before the write settles.
 */
export class ResourceView<T> extends EventEmitter<ResourceViewEvents<T>> {
  readonly #options: ResourceViewOptions;
  readonly #decode: Decoder<T>;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ownVersions = new Set<string>();
  readonly #ownDeletes = new Set<string>();
  readonly #writing = new Map<string, Promise<unknown>>();
  readonly #informer: Informer;
  readonly ready: Promise<void>;
  #listed = false;
  #failedSince: number | undefined;
  #failure = '';

  constructor(options: ResourceViewOptions, decode: Decoder<T>) {
    super();
    this.#options = options;
    this.#decode = decode;
    let markReady: () => void = () => {};
    let markFailed: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.#informer = new Informer(
      {
        kube: options.kube,
        clusterId: MANAGEMENT_CLUSTER,
        as: AGENT_IDENTITY,
        path: () => options.path,
        mode: 'list',
        fieldSelector: options.fieldSelector,
        labelSelector: options.labelSelector,
      },
      {
        listed: (objects) => {
          this.#replaceAll(objects);
          if (!this.#listed) {
            this.#listed = true;
            markReady();
          }
        },
        changed: (type, object) => this.#apply(type === 'DELETED', object),
        position: () => {
          this.#failedSince = undefined;
        },
        failed: (error, final) => {
          this.#failedSince ??= Date.now();
          this.#failure = error.message;
          options.log.warn(
            { path: options.path, err: error, final },
            'management cluster view lost its watch',
          );
          if (final) markFailed(error);
        },
      },
    );
  }

  get(name: string): T | undefined {
    return this.#entries.get(name)?.value;
  }

  /** The uid of the object of that name in the view (a precondition, an ownerReference). */
  uidOf(name: string): string | undefined {
    return this.#entries.get(name)?.object.metadata?.uid;
  }

  values(): T[] {
    return [...this.#entries.values()].map((entry) => entry.value);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Why the view cannot vouch for what it holds now, or undefined. */
  unavailable(): string | undefined {
    if (!this.#listed) return 'the store has not been read yet';
    if (this.#failedSince !== undefined && Date.now() - this.#failedSince > VIEW_STALE_AFTER_MS)
      return `the store is out of reach: ${this.#failure}`;
    return undefined;
  }

  /** Creates an object; CONFLICT when one of that name exists. */
  async create(object: KubeObject): Promise<T | undefined> {
    try {
      const created = await this.#options.kube.create<KubeObject>(target, this.#options.path, object);
      return this.#own(created);
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'RESOURCE_CONFLICT')
        throw new GatewayError('CONFLICT', `${object.metadata?.name} exists already`, { cause: error });
      throw error;
    }
  }

  /**
   * Changes one object: `change` gets the newest object known and answers its replacement,
   * or undefined to leave it as it is. Answers the object as stored, or undefined when
   * there is no such object or nothing changed.
   */
  update(name: string, change: (current: KubeObject) => KubeObject | undefined): Promise<T | undefined> {
    return this.#serialized(name, async () => {
      let current = this.#entries.get(name)?.object;
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        if (!current) return undefined;
        const next = change(structuredClone(current));
        if (!next) return undefined;
        try {
          const stored = await this.#options.kube.call<KubeObject>(
            target,
            'PUT',
            `${this.#options.path}/${name}`,
            {
              value: next,
            },
          );
          return this.#own(stored);
        } catch (error) {
          const code = error instanceof GatewayError ? error.code : undefined;
          if (code === 'RESOURCE_NOT_FOUND') return undefined;
          if (code !== 'RESOURCE_CONFLICT') throw error;
          // Someone else wrote first: read theirs and decide again.
          current = await this.#options.kube
            .get<KubeObject>(target, `${this.#options.path}/${name}`)
            .catch((failure: unknown) => {
              if (failure instanceof GatewayError && failure.code === 'RESOURCE_NOT_FOUND') return undefined;
              throw failure;
            });
        }
      }
      throw new GatewayError('CONFLICT', `${name} kept changing under this write; try again`);
    });
  }

  /** A merge patch nothing waits for the view to hold (e.g. a last-used time). */
  async patch(name: string, patch: unknown): Promise<void> {
    const stored = await this.#options.kube.patch<KubeObject>(
      target,
      `${this.#options.path}/${name}`,
      'merge',
      patch,
    );
    this.#own(stored);
  }

  /** Deletes an object; with `uid`, only that very object (a second delete of it finds nothing). */
  delete(name: string, uid?: string): Promise<boolean> {
    return this.#serialized(name, async () => {
      try {
        this.#ownDeletes.add(name);
        await this.#options.kube.call(
          target,
          'DELETE',
          `${this.#options.path}/${name}`,
          uid ? { value: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } } : undefined,
        );
        this.#entries.delete(name);
        return true;
      } catch (error) {
        this.#ownDeletes.delete(name);
        const code = error instanceof GatewayError ? error.code : undefined;
        // Gone already, or (uid precondition failed) replaced by another object of the name.
        if (code === 'RESOURCE_NOT_FOUND' || code === 'RESOURCE_CONFLICT') return false;
        throw error;
      }
    });
  }

  stop(): void {
    this.#informer.stop();
  }

  #serialized<R>(name: string, work: () => Promise<R>): Promise<R> {
    const before = this.#writing.get(name) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    this.#writing.set(name, settled);
    void settled.then(() => {
      if (this.#writing.get(name) === settled) this.#writing.delete(name);
    });
    return run;
  }

  /** Puts a written object in the view; its watch event, when it comes, is known as ours. */
  #own(object: KubeObject): T | undefined {
    const version = object.metadata?.resourceVersion;
    if (version) {
      if (this.#ownVersions.size >= MAX_OWN_WRITES) this.#ownVersions.clear();
      this.#ownVersions.add(version);
    }
    this.#store(object);
    return this.#entries.get(object.metadata?.name ?? '')?.value;
  }

  #store(object: KubeObject): Entry<T> | undefined {
    const name = object.metadata?.name;
    if (!name) return undefined;
    const known = this.#entries.get(name);
    const [knownVersion, newVersion] = [versionOf(known?.object), versionOf(object)];
    // A watch event older than a write already in the view changes nothing.
    if (knownVersion !== undefined && newVersion !== undefined && newVersion < knownVersion) return known;
    const value = this.#decode(object);
    if (value === undefined) {
      this.#options.log.warn({ path: this.#options.path, name }, 'ignoring a malformed object of the store');
      this.#entries.delete(name);
      return undefined;
    }
    const entry = { object, value };
    this.#entries.set(name, entry);
    return entry;
  }

  #apply(deleted: boolean, object: KubeObject): void {
    const name = object.metadata?.name;
    if (!name) return;
    const previous = this.#entries.get(name)?.value;
    if (deleted) {
      this.#entries.delete(name);
      if (this.#ownDeletes.delete(name)) return;
      this.emit('changedElsewhere', name, undefined, previous);
      return;
    }
    const version = object.metadata?.resourceVersion ?? '';
    const ours = this.#ownVersions.delete(version);
    const entry = this.#store(object);
    if (!ours && entry && entry.object === object) this.emit('changedElsewhere', name, entry.value, previous);
  }

  #replaceAll(objects: readonly KubeObject[]): void {
    const first = !this.#listed;
    const seen = new Set<string>();
    for (const object of objects) {
      const name = object.metadata?.name;
      if (!name) continue;
      seen.add(name);
      const before = this.#entries.get(name);
      if (before && before.object.metadata?.resourceVersion === object.metadata?.resourceVersion) continue;
      const entry = this.#store(object);
      if (!first && entry) this.emit('changedElsewhere', name, entry.value, before?.value);
    }
    for (const [name, entry] of [...this.#entries]) {
      if (seen.has(name)) continue;
      this.#entries.delete(name);
      if (!first) this.emit('changedElsewhere', name, undefined, entry.value);
    }
  }
}
