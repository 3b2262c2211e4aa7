import type { ClusterClient } from '../clusters/cluster-client.ts';
import { compareItems, type KubernetesObject, type ResourceItem } from '../graphql/resource-item.ts';
import type { Logger } from '../shared/log/logger.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import { CACHED_COLLECTIONS, type CachedCollection } from './cached-collections.ts';
import { withoutManagedFields } from './object-trim.ts';
import { watchEvents } from './watch-events.ts';

/** Page size of the list calls that fill a cache. */
const LIST_PAGE_SIZE = 500;
/** The apiserver ends a watch after this; the cache then watches again from where it was. */
const WATCH_TIMEOUT_SECONDS = 300;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

interface ListPage {
  items?: KubernetesObject[];
  metadata?: { continue?: string; resourceVersion?: string };
  message?: string;
}

class ListGone extends Error {}

function objectKey(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** First index in `sorted` whose namespace is not below `namespace`. */
function lowerBound(sorted: readonly ResourceItem[], namespace: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.object.metadata?.namespace ?? '') < namespace) low = middle + 1;
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
  readonly collection: CachedCollection;
  /** When a query last read it; idle caches are stopped. */
  lastReadAt = Date.now();
  /** Why it is out of service, if it is. */
  lastError: string | undefined;
  readonly #client: ClusterClient;
  readonly #log: Logger;
  #objects = new Map<string, ResourceItem>();
  #sorted: ResourceItem[] | undefined;
  #resourceVersion = '';
  #synced = false;
  #stopped = false;
  #attempt = 0;
  #watch: TunnelStream | undefined;
  #retry: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  #waiters: (() => void)[] = [];

  constructor(client: ClusterClient, clusterId: string, collection: CachedCollection, log: Logger) {
    this.#client = client;
    this.clusterId = clusterId;
    this.collection = collection;
    this.#log = log;
    void this.#run();
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

  /** The cached objects in (namespace, name) order, all of them or one namespace's. */
  items(namespace?: string): readonly ResourceItem[] {
    this.lastReadAt = Date.now();
    if (!this.#sorted) this.#sorted = [...this.#objects.values()].sort(compareItems);
    const sorted = this.#sorted;
    if (namespace === undefined) return sorted;
    const start = lowerBound(sorted, namespace);
    let end = start;
    while (end < sorted.length && sorted[end]?.object.metadata?.namespace === namespace) end++;
    return sorted.slice(start, end);
  }

  /** Retries now instead of after the backoff (the cluster's agent just connected). */
  wake(): void {
    this.#retry?.wake();
  }

  stop(): void {
    this.#stopped = true;
    this.#synced = false;
    this.#watch?.destroy();
    this.wake();
    this.#objects = new Map();
    this.#sorted = undefined;
    this.#notify();
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#stopped) {
      try {
        if (needList) {
          await this.#list();
          needList = false;
        }
        needList = await this.#watchOnce();
        this.#attempt = 0;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof ListGone) {
          needList = true;
          continue;
        }
        // The tunnel or the apiserver failed: the copy can no longer be kept current.
        this.#synced = false;
        this.lastError = (error as Error).message;
        needList = true;
        this.#notify(); // whoever waits for it takes the live path now
        this.#log.debug(
          { clusterId: this.clusterId, collection: this.collection, error: this.lastError },
          'list cache out of service, retrying',
        );
        await this.#backoff();
      }
    }
  }

  async #backoff(): Promise<void> {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.#attempt++, 10));
    const delay = RETRY_MIN_MS / 2 + Math.random() * (ceiling - RETRY_MIN_MS / 2);
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#retry = undefined;
        resolve();
      };
      const timer = setTimeout(wake, delay);
      timer.unref();
      this.#retry = { timer, wake };
    });
  }

  /** Lists the whole collection; the new copy replaces the old one only when complete. */
  async #list(): Promise<void> {
    const objects = new Map<string, ResourceItem>();
    let continueToken = '';
    let resourceVersion = '';
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (continueToken) query.set('continue', continueToken);
      const { status, body } = await this.#client.json<ListPage>(this.clusterId, {
        method: 'GET',
        path: `${CACHED_COLLECTIONS[this.collection].path}?${query}`,
      });
      if (status === 410) throw new ListGone('list continuation expired');
      if (status !== 200) throw new Error(`list answered ${status}: ${body.message ?? ''}`);
      for (const object of body.items ?? []) {
        const trimmed = withoutManagedFields(object);
        objects.set(objectKey(trimmed), { clusterId: this.clusterId, object: trimmed });
      }
      continueToken = body.metadata?.continue ?? '';
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
      if (this.#stopped) return;
    } while (continueToken);
    this.#objects = objects;
    this.#sorted = undefined;
    this.#resourceVersion = resourceVersion;
    this.#synced = true;
    this.lastError = undefined;
    this.#notify();
  }

  /** Watches from the last position until the watch ends; true when a new list is needed. */
  async #watchOnce(): Promise<boolean> {
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: this.#resourceVersion,
      timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
    });
    const { head, stream } = await this.#client.request(this.clusterId, {
      method: 'GET',
      path: `${CACHED_COLLECTIONS[this.collection].path}?${query}`,
      headers: [['Accept', 'application/json']],
    });
    if (head.status === 410) {
      stream.destroy();
      return true;
    }
    if (head.status !== 200) {
      stream.destroy();
      throw new Error(`watch answered ${head.status}`);
    }
    this.#watch = stream;
    try {
      for await (const event of watchEvents(stream)) {
        if (event.type === 'ERROR') {
          if (event.object.code === 410) return true;
          throw new Error(`watch error: ${event.object.message ?? 'unknown'}`);
        }
        const resourceVersion = event.object.metadata?.resourceVersion;
        if (resourceVersion) this.#resourceVersion = resourceVersion;
        if (event.type === 'BOOKMARK') continue;
        const object = withoutManagedFields(event.object);
        if (event.type === 'DELETED') this.#objects.delete(objectKey(object));
        else this.#objects.set(objectKey(object), { clusterId: this.clusterId, object });
        this.#sorted = undefined;
      }
      return false;
    } finally {
      this.#watch = undefined;
      stream.destroy();
    }
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
