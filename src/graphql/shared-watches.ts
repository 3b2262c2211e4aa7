import { ACCESS_REVIEW_TTL_MS } from '../cache/access-reviews.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { ChangeType } from '../kube/watch-events.ts';
import { InFlight } from './in-flight.ts';
import { ChangeFeeds } from './shared-changes.ts';

/** One subscriber of a shared watch. Calls are synchronous: a listener only queues. */
export interface SharedWatchListener {
  position(resourceVersion: string): void;
  change(type: ChangeType, object: KubeObject, bytes: number): void;
  gap(message: string): void;
  /** A passing outage; the shared watch retries. */
  error(message: string): void;
  /** The gateway may not (or can no longer) watch this: the subscriber must watch on its own. */
  refused(message: string): void;
}

/** What a shared watch follows. */
export interface SharedWatchKey {
  readonly clusterId: string;
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

class SharedWatch {
  readonly listeners = new Set<SharedWatchListener>();
  readonly #watch: Informer;
  resourceVersion: string | undefined;

  constructor(kube: KubeClient, key: SharedWatchKey, onRefused: () => void) {
    this.#watch = new Informer(
      {
        kube,
        clusterId: key.clusterId,
        // No impersonation: the agent's ServiceAccount watches, for everyone attached.
        as: AGENT_IDENTITY,
        path: () => key.path,
        mode: 'watch',
        labelSelector: key.labelSelector,
        fieldSelector: key.fieldSelector,
      },
      {
        position: (resourceVersion) => {
          this.resourceVersion = resourceVersion;
          for (const listener of this.listeners) listener.position(resourceVersion);
        },
        changed: (type, object, bytes) => {
          for (const listener of this.listeners) listener.change(type, object, bytes);
        },
        gap: (message) => {
          for (const listener of this.listeners) listener.gap(message);
        },
        failed: (error, final) => {
          if (!final) {
            const message = `watch interrupted, retrying: ${error.message}`;
            for (const listener of this.listeners) listener.error(message);
            return;
          }
          onRefused();
          for (const listener of [...this.listeners]) listener.refused(error.message);
          this.listeners.clear();
        },
      },
    );
  }

  stop(): void {
    this.#watch.stop();
  }
}

/**
 * Downstream watches shared by every subscriber of the same collection in the same cluster
 * (with the same selectors): one watch, run with the gateway's own identity, fanned out in
 * process. Callers are checked before they attach (see watch-access.ts); a watch ends when
 * its last subscriber leaves. This is what lets one gateway carry thousands of subscribers
 * while a tunnel carries at most MAX_STREAMS_PER_SESSION streams.
 */
export class SharedWatches {
  readonly #kube: KubeClient;
  readonly #watches = new Map<string, SharedWatch>();
  /** The shared change streams on these watches, one per document, variables and access class. */
  readonly feeds: ChangeFeeds;
  /**
   * Access reviews of people who attach (see watch-access.ts): joined while in flight, and a
   * cluster's answer reused for as long as a list review's (ACCESS_REVIEW_TTL_MS); an
   * answer the cluster could not give is never kept.
   */
  readonly reviews = new InFlight<boolean | undefined>(
    { keepMs: ACCESS_REVIEW_TTL_MS },
    (answer) => answer !== undefined,
  );
  /** Collection paths of subscriptions being set up, per person (discovery as them), reused as long. */
  readonly paths = new InFlight<string>({ keepMs: ACCESS_REVIEW_TTL_MS });

  constructor(kube: KubeClient) {
    this.#kube = kube;
    this.feeds = new ChangeFeeds(this);
  }

  /** Downstream watches running now. */
  get size(): number {
    return this.#watches.size;
  }

  /** Subscribers attached across all shared watches. */
  get listenerCount(): number {
    let total = 0;
    for (const watch of this.#watches.values()) total += watch.listeners.size;
    return total;
  }

  /**
   * Attaches a listener from now on; it first hears the watch's current position (at once,
   * or when the watch has found it). Returns the detach function.
   */
  attach(key: SharedWatchKey, listener: SharedWatchListener): () => void {
    const id = JSON.stringify([key.clusterId, key.path, key.labelSelector ?? '', key.fieldSelector ?? '']);
    let watch = this.#watches.get(id);
    if (!watch) {
      const created: SharedWatch = new SharedWatch(this.#kube, key, () => {
        if (this.#watches.get(id) === created) this.#watches.delete(id);
      });
      watch = created;
      this.#watches.set(id, watch);
    }
    const attachedTo = watch;
    attachedTo.listeners.add(listener);
    if (attachedTo.resourceVersion !== undefined) listener.position(attachedTo.resourceVersion);
    return () => {
      if (!attachedTo.listeners.delete(listener) || attachedTo.listeners.size > 0) return;
      attachedTo.stop();
      if (this.#watches.get(id) === attachedTo) this.#watches.delete(id);
    };
  }
}
