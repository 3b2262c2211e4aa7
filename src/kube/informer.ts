import { asGatewayError, GatewayError } from '../errors/gateway-error.ts';
import { backoffDelay } from '../shared/backoff.ts';
import type { Identity } from './identity.ts';
import type { KubeClient, Selectors } from './kube-client.ts';
import { WATCH_RETRY_BASE_MS, WATCH_RETRY_MAX_MS, WATCH_TIMEOUT_SECONDS } from './limits.ts';
import { withoutManagedFields } from './object-trim.ts';
import type { KubeObject } from './objects.ts';
import type { ChangeType } from './watch-events.ts';

export interface InformerOptions extends Selectors {
  readonly kube: KubeClient;
  readonly clusterId: string;
  readonly as: Identity;
  /**
   * The collection, asked before every (re)start (a kind may move or vanish). A
   * GatewayError thrown here ends the informer.
   */
  readonly path: () => string | Promise<string>;
  /**
   * `list`: keep a full copy: list in pages, then watch from the list's position, list
   * again when that position is too old. `watch`: only changes, from `from` or from now;
   * a position too old is reported as a gap and the watch goes on from now.
   */
  readonly mode: 'list' | 'watch';
  /** watch mode: the resourceVersion to start after. */
  readonly from?: string;
  /**
   * Refusals (401, 403) end the informer instead of being retried: a person's watch
   * stops when their access does. Default: on in watch mode, off in list mode.
   */
  readonly stopWhenRefused?: boolean;
}

/** What an informer reports. Calls are synchronous and in order. */
export interface InformerHandlers {
  /** list mode: a complete list now replaces whatever was known. */
  listed?(objects: readonly KubeObject[], resourceVersion: string): void;
  /** `bytes`: the size of the change as it arrived (for bounds on what holds it). */
  changed?(type: ChangeType, object: KubeObject, bytes: number): void;
  /** It is now at this resourceVersion (after a list, a change, a bookmark or a start). */
  position?(resourceVersion: string): void;
  /** watch mode: changes since the last position are no longer available; it goes on from now. */
  gap?(message: string): void;
  /**
   * It cannot go on now. `final`: it has stopped for good; otherwise it retries with
   * backoff, and the next failure is reported only after it has worked again.
   */
  failed?(error: GatewayError, final: boolean): void;
}

/** The position a watch started from is gone (410): list again, or report a gap. */
class PositionGone extends Error {}

/**
 * The gateway's one list/watch machine (docs/architecture.md): list in pages, watch from
 * the list's resourceVersion with bookmarks, resume after the apiserver ends a watch, list
 * again (or report a gap) on 410, retry failures with jittered backoff, stop at once.
 * Objects arrive without managedFields.
 */
export class Informer {
  readonly #options: InformerOptions;
  readonly #handlers: InformerHandlers;
  #resourceVersion: string | undefined;
  #stopWatch: (() => void) | undefined;
  #wakeSleep: (() => void) | undefined;
  #stopped = false;
  #attempt = 0;
  /** watch mode: a 410 lost changes; the gap is reported with the next position. */
  #gapPending = false;

  constructor(options: InformerOptions, handlers: InformerHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#resourceVersion = options.from;
    // #run handles its own failures; a fault of the machine itself must not end the process.
    this.#run().catch((error: unknown) => {
      this.#stopped = true;
      this.#handlers.failed?.(asGatewayError(error), true);
    });
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Retries now instead of after the backoff (e.g. the cluster's agent just connected). */
  wake(): void {
    this.#wakeSleep?.();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopWatch?.();
    this.#wakeSleep?.();
  }

  get #target() {
    return { clusterId: this.#options.clusterId, as: this.#options.as };
  }

  #at(resourceVersion: string): void {
    this.#resourceVersion = resourceVersion;
    this.#handlers.position?.(resourceVersion);
  }

  async #run(): Promise<void> {
    const { mode } = this.#options;
    const stopWhenRefused = this.#options.stopWhenRefused ?? mode === 'watch';
    let needList = mode === 'list';
    let outageReported = false;
    while (!this.#stopped) {
      try {
        const path = await this.#path();
        if (this.#stopped) return;
        if (needList) {
          await this.#list(path);
          needList = false;
        } else if (this.#resourceVersion === undefined) {
          this.#at(await this.#options.kube.currentVersion(this.#target, path));
          if (this.#gapPending) {
            this.#gapPending = false;
            this.#handlers.gap?.('changes since the given position are no longer available; list again');
          }
        }
        if (this.#stopped) return;
        await this.#watch(path);
        this.#attempt = 0;
        outageReported = false;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof PositionGone) {
          if (mode === 'list') needList = true;
          // In watch mode the current position is asked for at the top of the loop; the gap
          // is reported once it is known (a failure to learn it goes the usual way).
          else {
            this.#resourceVersion = undefined;
            this.#gapPending = true;
          }
          continue;
        }
        const failure = error instanceof PathRefused ? error.failure : asGatewayError(error);
        // A collection that cannot be named is final unless its cluster was only out of
        // reach; a refusal is final for a person's watch.
        const final =
          (error instanceof PathRefused && failure.code !== 'CLUSTER_UNAVAILABLE') ||
          (stopWhenRefused && failure.code === 'CLUSTER_FORBIDDEN');
        if (final) {
          this.#stopped = true;
          this.#handlers.failed?.(failure, true);
          return;
        }
        if (mode === 'list') needList = true;
        if (!outageReported) this.#handlers.failed?.(failure, false);
        outageReported = true;
        await this.#sleep(backoffDelay(this.#attempt++, WATCH_RETRY_BASE_MS, WATCH_RETRY_MAX_MS));
      }
    }
  }

  async #path(): Promise<string> {
    try {
      return await this.#options.path();
    } catch (error) {
      throw new PathRefused(asGatewayError(error));
    }
  }

  async #list(path: string): Promise<void> {
    const { kube, labelSelector, fieldSelector } = this.#options;
    let listed: { items: KubeObject[]; resourceVersion: string };
    try {
      listed = await kube.listAll<KubeObject>(this.#target, path, {
        labelSelector,
        fieldSelector,
        maxItems: Number.POSITIVE_INFINITY,
        each: withoutManagedFields,
      });
    } catch (error) {
      // A continuation that expired mid-list: start the list over at once.
      if (asGatewayError(error).code === 'RESOURCE_EXPIRED') throw new PositionGone();
      throw error;
    }
    if (this.#stopped) return;
    this.#handlers.listed?.(listed.items, listed.resourceVersion);
    this.#at(listed.resourceVersion);
  }

  /** Runs one watch until the apiserver ends it; PositionGone when its start is too old. */
  async #watch(path: string): Promise<void> {
    const { kube, labelSelector, fieldSelector } = this.#options;
    let watch: Awaited<ReturnType<KubeClient['watch']>>;
    try {
      watch = await kube.watch(this.#target, path, {
        resourceVersion: this.#resourceVersion,
        timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        labelSelector,
        fieldSelector,
      });
    } catch (error) {
      if (asGatewayError(error).code === 'RESOURCE_EXPIRED') throw new PositionGone();
      throw error;
    }
    if (this.#stopped) {
      watch.stop();
      return;
    }
    this.#stopWatch = watch.stop;
    try {
      for await (const event of watch.events) {
        if (this.#stopped) return;
        if (event.type === 'ERROR') {
          if (event.object.code === 410) throw new PositionGone();
          throw new GatewayError('CLUSTER_ERROR', `watch error: ${event.object.message ?? 'unknown'}`, {
            clusterId: this.#options.clusterId,
          });
        }
        const resourceVersion = event.object.metadata?.resourceVersion;
        if (resourceVersion) this.#at(resourceVersion);
        if (event.type !== 'BOOKMARK')
          this.#handlers.changed?.(event.type, withoutManagedFields(event.object), event.bytes);
      }
    } finally {
      this.#stopWatch = undefined;
      watch.stop();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#wakeSleep = done;
    });
  }
}

/** The collection could not be named (an unknown kind, a refused discovery). */
class PathRefused extends Error {
  readonly failure: GatewayError;
  constructor(failure: GatewayError) {
    super(failure.message);
    this.failure = failure;
  }
}
