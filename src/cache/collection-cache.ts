import { AGENT_IDENTITY } from '../kube/identity.ts';
import { Informer } from '../kube/informer.ts';
import { type KindProfile, kindProfile } from '../kube/kind-fields.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { compareItems, type ResourceItem } from '../kube/resource-item.ts';
import type { Logger } from '../shared/log/logger.ts';
import { type CollectionRef, collectionRoot } from './cached-collections.ts';
import { CompactItem, StringPool } from './compact-item.ts';
import type { FillSlots } from './fill-slots.ts';
import { ObjectCodec } from './object-codec.ts';

/**
 * Told of every change to a cache's copy: `previous` is what it held before (absent for a
 * new object), `next` what it holds now (absent once deleted). A new list first calls
 * `reset`, then reports every object as new. Aggregates (cluster stats) follow a cache this
 * way instead of listing the cluster again.
 */
export interface CacheListener {
  reset(): void;
  change(previous: KubeObject | undefined, next: KubeObject | undefined): void;
  /** The cache was stopped (idle, or its cluster removed): nothing more will come. */
  stopped?(): void;
}

function objectKey(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Orders of the same copy kept at once (one per sort asked for since the last change). */
const MAX_ORDERS = 8;

/** First index in `sorted` whose namespace is not below `namespace`. */
function lowerBound(sorted: readonly ResourceItem[], namespace: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.namespace ?? '') < namespace) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A copy of one collection of one cluster that a watch keeps current (docs/list-cache.md):
 * listed once, then updated event by event; listed again when its position is too old.
 * It is in service (`synced`) only while its watch runs through a live tunnel.
 */
export class CollectionCache {
  readonly clusterId: string;
  readonly ref: CollectionRef;
  /** The sort fields of its kind, read once per change. */
  readonly profile: KindProfile;
  /** When a query last read it; idle caches are stopped. */
  lastReadAt = Date.now();
  /** Why it is out of service, if it is. */
  lastError: string | undefined;
  /**
   * When the copy stopped being kept current (its tunnel or watch failed), if it is out of
   * service and holds a copy: what `allowStale` answers are dated with.
   */
  staleSince: Date | undefined;
  readonly #log: Logger;
  /** Made once this cache's turn to fill comes (fill-slots.ts). */
  #informer: Informer | undefined;
  /** Gives the fill slot back; called when the first list is in, has failed, or the cache stops. */
  #releaseFill: (() => void) | undefined;
  readonly #listeners = new Set<CacheListener>();
  #objects = new Map<string, CompactItem>();
  #pool = new StringPool();
  /** Made from the first object of each new list, so its dictionary follows what the collection holds. */
  #codec = new ObjectCodec(undefined);
  #sorted: CompactItem[] | undefined;
  readonly #orders = new Map<string, readonly ResourceItem[]>();
  #synced = false;
  #stopped = false;
  #waiters: (() => void)[] = [];

  constructor(kube: KubeClient, clusterId: string, ref: CollectionRef, log: Logger, slots?: FillSlots) {
    this.clusterId = clusterId;
    this.ref = ref;
    this.profile = kindProfile(ref.group, ref.resource);
    this.#log = log;
    if (!slots) {
      this.#start(kube);
      return;
    }
    void slots.acquire().then((release) => {
      this.#releaseFill = release;
      if (this.#stopped) release();
      else this.#start(kube);
    });
  }

  #start(kube: KubeClient): void {
    const { clusterId } = this;
    const path = collectionRoot(this.ref);
    this.#informer = new Informer(
      { kube, clusterId, as: AGENT_IDENTITY, path: () => path, mode: 'list' },
      {
        listed: (objects) => {
          this.#replace(objects);
          this.#releaseFill?.();
        },
        changed: (type, object) => this.#apply(type === 'DELETED' ? undefined : object, objectKey(object)),
        failed: (error) => {
          this.#releaseFill?.();
          // The tunnel or the apiserver failed: the copy can no longer be kept current.
          if (this.#synced) this.staleSince = new Date();
          this.#synced = false;
          this.lastError = error.message;
          this.#notify(); // whoever waits for it takes the live path now
          this.#log.debug(
            { clusterId, collection: path, error: error.message },
            'list cache out of service, retrying',
          );
        },
      },
    );
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** True while its first list is still on its way (nothing failed yet). */
  get filling(): boolean {
    return !this.#synced && !this.#stopped && this.lastError === undefined;
  }

  get size(): number {
    return this.#objects.size;
  }

  /** Bytes of stored objects, summed (for memory figures; walks every object). */
  get storedBytes(): number {
    let bytes = 0;
    for (const item of this.#objects.values()) bytes += item.storedBytes;
    return bytes;
  }

  /** Resolves true once the copy is in service, false if that takes longer than `timeoutMs`. */
  async ready(timeoutMs: number): Promise<boolean> {
    this.lastReadAt = Date.now();
    if (this.#synced) return true;
    if (this.#stopped) return false;
    this.wake();
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.#synced);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(this.#synced);
      }, timeoutMs);
      timer.unref();
      this.#waiters.push(done);
    });
  }

  /** Whether it holds a copy that is no longer kept current (its cluster is out of reach). */
  get stale(): boolean {
    return !this.#synced && !this.#stopped && this.staleSince !== undefined;
  }

  /** The cached objects in (namespace, name) order, all of them or one namespace's. */
  items(namespace?: string): readonly ResourceItem[] {
    this.lastReadAt = Date.now();
    if (!this.#sorted) this.#sorted = [...this.#objects.values()].sort(compareItems);
    const sorted = this.#sorted;
    if (namespace === undefined) return sorted;
    const start = lowerBound(sorted, namespace);
    let end = start;
    while (end < sorted.length && sorted[end]?.namespace === namespace) end++;
    return sorted.slice(start, end);
  }

  /**
   * The cached objects (all, or one namespace's) in another order, named by `orderKey`:
   * sorted once, then reused until the copy changes.
   */
  itemsInOrder(
    orderKey: string,
    compare: (a: ResourceItem, b: ResourceItem) => number,
    namespace?: string,
  ): readonly ResourceItem[] {
    const key = `${orderKey}\u0000${namespace ?? ''}`;
    const known = this.#orders.get(key);
    if (known) {
      this.lastReadAt = Date.now();
      return known;
    }
    const ordered = [...this.items(namespace)].sort(compare);
    if (this.#orders.size >= MAX_ORDERS) this.#orders.clear();
    this.#orders.set(key, ordered);
    return ordered;
  }

  /** Follows every change from now on, after hearing the current copy; returns the unfollow. */
  follow(listener: CacheListener): () => void {
    this.#listeners.add(listener);
    listener.reset();
    for (const item of this.#objects.values()) listener.change(undefined, item.object);
    return () => this.#listeners.delete(listener);
  }

  /** Retries now instead of after the backoff (the cluster's agent just connected). */
  wake(): void {
    this.#informer?.wake();
  }

  stop(): void {
    this.#stopped = true;
    this.#synced = false;
    this.#informer?.stop();
    this.#releaseFill?.();
    this.#objects = new Map();
    this.#pool = new StringPool();
    this.#changed();
    for (const listener of this.#listeners) listener.stopped?.();
    this.#listeners.clear();
    this.#notify();
  }

  /** A complete new list replaces the copy (the old one served until then). */
  #replace(objects: readonly KubeObject[]): void {
    // A new pool, so that strings of objects gone since the last list are not kept.
    this.#pool = new StringPool();
    this.#codec = new ObjectCodec(objects[0]);
    const replaced = new Map<string, CompactItem>();
    for (const object of objects) replaced.set(objectKey(object), this.#compact(object));
    this.#objects = replaced;
    this.#changed();
    for (const listener of this.#listeners) {
      listener.reset();
      for (const object of objects) listener.change(undefined, object);
    }
    this.#synced = true;
    this.staleSince = undefined;
    this.lastError = undefined;
    this.#notify();
  }

  #apply(object: KubeObject | undefined, key: string): void {
    const held = this.#objects.get(key);
    if (object) this.#objects.set(key, this.#compact(object));
    else this.#objects.delete(key);
    this.#changed();
    if (this.#listeners.size === 0) return;
    // Only followers need the object it held, so only they pay for decoding it.
    const previous = held?.object;
    for (const listener of this.#listeners) listener.change(previous, object);
  }

  #compact(object: KubeObject): CompactItem {
    return new CompactItem(this.clusterId, object, this.profile, this.#pool, this.#codec);
  }

  #changed(): void {
    this.#sorted = undefined;
    this.#orders.clear();
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
