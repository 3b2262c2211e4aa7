import { GraphQLError } from 'graphql';
import { type WatchEvent, watchEvents } from '../cache/watch-events.ts';
import type { ClusterClient } from '../clusters/cluster-client.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import type { KubernetesObject } from './resource-item.ts';

export type ObjectChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CollectionWatchOptions {
  readonly clusterClient: ClusterClient;
  readonly clusterId: string;
  /** The collection to watch, asked before every (re)start; a GraphQLError ends the watch. */
  readonly pathFor: () => Promise<string | GraphQLError>;
  /** Who watches: the caller's impersonation headers, or none for the gateway's own identity. */
  readonly identityHeaders: HeaderPairs;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** The resourceVersion to start after; the current one when omitted. */
  readonly from?: string;
}

/** What a watch reports; every message is preceded by the position it leads to. */
export interface CollectionWatchHandlers {
  /** The watch is now at this resourceVersion (after a change, a bookmark or a (re)start). */
  position(resourceVersion: string): void;
  change(type: ObjectChangeType, object: KubernetesObject): void;
  /** Changes since the last position are no longer available; the watch goes on from now. */
  gap(message: string): void;
  /** `final`: the watch has ended (forbidden, or the kind is not served); otherwise it retries. */
  error(message: string, final: boolean, status?: number): void;
}

/** Apiservers end watches after this; the watch then re-watches from where it was. */
export const WATCH_TIMEOUT_SECONDS = 300;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;

/**
 * One downstream watch of a collection in one cluster, kept alive across apiserver
 * timeouts, 410s and outages: restarts from its last position, reports a gap when that is
 * too old, and retries with back-off until stopped or refused.
 */
export class CollectionWatch {
  readonly #options: CollectionWatchOptions;
  readonly #handlers: CollectionWatchHandlers;
  #resourceVersion: string | undefined;
  #stream: TunnelStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wakeSleeper: (() => void) | undefined;
  #stopped = false;

  constructor(options: CollectionWatchOptions, handlers: CollectionWatchHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#resourceVersion = options.from;
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.destroy();
    clearTimeout(this.#timer);
    this.#wakeSleeper?.();
  }

  #setPosition(resourceVersion: string): void {
    this.#resourceVersion = resourceVersion;
    this.#handlers.position(resourceVersion);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeSleeper = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }

  async #currentVersion(path: string): Promise<string> {
    const { clusterClient, clusterId, identityHeaders } = this.#options;
    const { status, body } = await clusterClient.json<{
      metadata?: { resourceVersion?: string };
      message?: string;
    }>(clusterId, { method: 'GET', path: `${path}?limit=1`, headers: identityHeaders });
    if (status !== 200) throw new WatchRefused(status, body.message ?? `answered ${status}`);
    return body.metadata?.resourceVersion ?? '0';
  }

  async #run(): Promise<void> {
    let delay = RETRY_MIN_MS;
    let reportedOutage = false;
    while (!this.#stopped) {
      try {
        const path = await this.#options.pathFor();
        if (path instanceof GraphQLError) {
          this.#handlers.error(path.message, true);
          return;
        }
        if (this.#resourceVersion === undefined) this.#setPosition(await this.#currentVersion(path));
        if (this.#stopped) return;
        const gone = await this.#watchOnce(path);
        if (gone) {
          this.#setPosition(await this.#currentVersion(path));
          this.#handlers.gap('changes since the given position are no longer available; list again');
        }
        delay = RETRY_MIN_MS;
        reportedOutage = false;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof WatchRefused && (error.status === 403 || error.status === 401)) {
          this.#handlers.error(`forbidden: ${error.message}`, true, error.status);
          return;
        }
        if (!reportedOutage)
          this.#handlers.error(`watch interrupted, retrying: ${(error as Error).message}`, false);
        reportedOutage = true;
        await this.#sleep(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }

  /** Runs one watch until it ends; true when its starting position was too old (410). */
  async #watchOnce(path: string): Promise<boolean> {
    const { clusterClient, clusterId, identityHeaders, labelSelector, fieldSelector } = this.#options;
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: this.#resourceVersion ?? '0',
      timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
    });
    if (labelSelector) query.set('labelSelector', labelSelector);
    if (fieldSelector) query.set('fieldSelector', fieldSelector);
    const { head, stream } = await clusterClient.request(clusterId, {
      method: 'GET',
      path: `${path}?${query}`,
      headers: [['Accept', 'application/json'], ...identityHeaders],
    });
    if (head.status === 410) {
      stream.destroy();
      return true;
    }
    if (head.status !== 200) {
      stream.destroy();
      throw new WatchRefused(head.status, `watch answered ${head.status}`);
    }
    if (this.#stopped) {
      stream.destroy();
      return false;
    }
    this.#stream = stream;
    try {
      for await (const event of watchEvents(stream)) {
        if (this.#onEvent(event)) return true;
        if (this.#stopped) return false;
      }
      return false;
    } finally {
      this.#stream = undefined;
      stream.destroy();
    }
  }

  /** Handles one watch event; true when the watch says its position is gone. */
  #onEvent(event: WatchEvent): boolean {
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object.code === 410) return true;
      throw new Error(object.message ?? 'watch error');
    }
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion) this.#setPosition(resourceVersion);
    if (event.type !== 'BOOKMARK') this.#handlers.change(event.type, object);
    return false;
  }
}

class WatchRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
