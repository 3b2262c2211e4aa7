import { type AgentReadableScope, agentReadableScope } from '../cache/cached-collections.ts';
import { badInput, type GatewayError } from '../errors/gateway-error.ts';
import { Informer } from '../kube/informer.ts';
import { WATCH_TIMEOUT_SECONDS } from '../kube/limits.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { GraphQLContext } from './context.ts';
import type { SharedWatches } from './shared-watches.ts';
import { SubscriberQueue } from './subscriber-queue.ts';
import { callerMayWatch } from './watch-access.ts';

/** One message of a change subscription. */
export interface ChangeMessage {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'GAP' | 'ERROR';
  readonly clusterId: string;
  readonly object?: KubeObject;
  readonly message?: string;
  readonly cursor: string;
  /**
   * The latest state of an object whose earlier changes this subscriber skipped: it fell
   * behind, and its queue kept only the newest change of each object.
   */
  readonly coalesced?: boolean;
  /** Set on the last message of a subscriber that could not keep up even so. */
  readonly overflow?: boolean;
}

/**
 * What a change is about, for coalescing: one object of one cluster (by uid, else by
 * namespace and name), or one cluster's GAP or ERROR.
 */
export function changeKey(message: Pick<ChangeMessage, 'type' | 'clusterId' | 'object'>): string | undefined {
  if (message.type === 'GAP' || message.type === 'ERROR') return `${message.type}\0${message.clusterId}`;
  const metadata = message.object?.metadata;
  if (!metadata) return undefined;
  return `${message.clusterId}\0${metadata.uid ?? `${metadata.namespace ?? ''}/${metadata.name ?? ''}`}`;
}

/** One cluster's collection as a shared watch follows it for a share class (see `shareClass`). */
export interface SharedCollection {
  readonly clusterId: string;
  readonly path: string;
  readonly scope: AgentReadableScope;
}

/** Who sees what on a shared stream: the same collections with the same selectors. */
export interface ShareClass {
  readonly collections: readonly SharedCollection[];
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ChangeStreamOptions {
  readonly context: GraphQLContext;
  readonly clusterIds: readonly string[];
  /** Names the collection in a cluster; throws a GatewayError where it cannot. */
  readonly pathFor: (clusterId: string) => Promise<string>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Positions to resume from (cluster id -> resourceVersion). */
  readonly since?: Readonly<Record<string, string>>;
  /** Undelivered messages a subscriber may have before it is ended. */
  readonly maxQueue: number;
  /** Undelivered bytes (objects as they arrived) a subscriber may have before it is ended. */
  readonly maxQueueBytes?: number;
  /** Where subscribers that start from now may share one downstream watch; omitted: never. */
  readonly sharedWatches?: SharedWatches;
}

/** What a subscriber reads when a watch fails: final refusals say so, outages say it retries. */
function watchFailure(error: GatewayError, final: boolean): string {
  if (!final) return `watch interrupted, retrying: ${error.message}`;
  return error.code === 'CLUSTER_FORBIDDEN' ? `forbidden: ${error.message}` : error.message;
}

/**
 * Undelivered bytes a subscriber may have (the objects of its queue, as they arrived) before
 * it is ended with SUBSCRIBER_TOO_SLOW: the message count alone would let 1,000 large objects
 * pile up.
 */
export const MAX_SUBSCRIBER_QUEUE_BYTES = 32 * 1024 * 1024;

export function encodePositions(positions: ReadonlyMap<string, string>): string {
  return Buffer.from(JSON.stringify(Object.fromEntries(positions))).toString('base64url');
}

/** Parses a `since` cursor; throws BAD_USER_INPUT for anything else. */
export function decodePositions(cursor: string): Record<string, string> {
  try {
    if (cursor.length > 64 * 1024) throw new Error('too long');
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return value as Record<string, string>;
    }
  } catch {
    // fall through
  }
  throw badInput('malformed since cursor: pass the cursor of a message');
}

/**
 * The watches of one kind on every cluster in scope, merged into one stream with a
 * resumable cursor: a shared watch (see shared-watches.ts) where the caller may watch and
 * starts from now, else the caller's own. Each subscriber has a bounded queue: one that
 * cannot keep up is ended with SUBSCRIBER_TOO_SLOW instead of growing memory or slowing
 * anyone else.
 */
export class ChangeStream implements AsyncIterableIterator<ChangeMessage> {
  readonly #options: ChangeStreamOptions;
  readonly #positions = new Map<string, string>();
  readonly #queue: SubscriberQueue<ChangeMessage>;
  /** Ends each downstream watch this stream follows (private ones, or its shared attachments). */
  readonly #stops = new Set<() => void>();
  #wake: (() => void) | undefined;
  #started = false;
  /** Every cluster is followed by the caller's own watch, from #positions. */
  #alone = false;
  #closed = false;
  #overflowed = false;
  #overflow: ChangeMessage | undefined;

  constructor(options: ChangeStreamOptions) {
    this.#options = options;
    this.#queue = new SubscriberQueue<ChangeMessage>(
      { maxItems: options.maxQueue, maxBytes: options.maxQueueBytes ?? MAX_SUBSCRIBER_QUEUE_BYTES },
      changeKey,
    );
    for (const [clusterId, rv] of Object.entries(options.since ?? {})) this.#positions.set(clusterId, rv);
  }

  /** The subscriber's queue limits, for a shared stream that delivers for it instead. */
  get maxQueue(): number {
    return this.#options.maxQueue;
  }

  get maxQueueBytes(): number {
    return this.#options.maxQueueBytes ?? MAX_SUBSCRIBER_QUEUE_BYTES;
  }

  /**
   * What the caller would see through shared watches, when every cluster in scope can be
   * followed by one and the cluster says (SelfSubjectAccessReview as the caller) that the
   * caller may watch it there: then every caller of the same class sees the same changes,
   * and one shared stream may serve them all. Undefined otherwise (and for a resumed stream).
   */
  async shareClass(): Promise<ShareClass | undefined> {
    const { sharedWatches, context, since, clusterIds, labelSelector, fieldSelector } = this.#options;
    if (!sharedWatches || since || this.#started || clusterIds.length === 0) return undefined;
    try {
      const collections = await Promise.all(
        [...clusterIds].sort().map(async (clusterId) => {
          const path = await this.#options.pathFor(clusterId);
          const scope = agentReadableScope(path);
          if (!scope || !(await callerMayWatch(context, clusterId, scope))) return undefined;
          return { clusterId, path, scope };
        }),
      );
      if (collections.some((c) => c === undefined)) return undefined;
      return { collections: collections as SharedCollection[], labelSelector, fieldSelector };
    } catch {
      return undefined; // the caller's own watches report what is wrong
    }
  }

  /**
   * Follows every cluster with the caller's own watch from `positions` (a shared stream
   * that served this subscriber hands it back this way when it may no longer serve it).
   */
  resumeAlone(positions: ReadonlyMap<string, string>): void {
    for (const [clusterId, rv] of positions) this.#positions.set(clusterId, rv);
    this.#alone = true;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const clusterId of this.#options.clusterIds) void this.#follow(clusterId);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeMessage> {
    return this;
  }

  async next(): Promise<IteratorResult<ChangeMessage>> {
    this.#start();
    while (!this.#closed) {
      if (this.#overflow) {
        const last = this.#overflow;
        this.#overflow = undefined;
        this.#close();
        return { done: false, value: last };
      }
      const next = this.#queue.shift();
      if (next) {
        return { done: false, value: next.coalesced ? { ...next.item, coalesced: true } : next.item };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<ChangeMessage>> {
    this.#close();
    return { done: true, value: undefined };
  }

  get #ended(): boolean {
    return this.#closed || this.#overflowed;
  }

  #stopWatches(): void {
    for (const stop of this.#stops) stop();
    this.#stops.clear();
  }

  #close(): void {
    if (this.#closed && !this.#overflowed) return;
    this.#closed = true;
    this.#stopWatches();
    this.#wake?.();
  }

  #push(message: Omit<ChangeMessage, 'cursor'>, bytes = 0): void {
    if (this.#ended) return;
    const cursor = encodePositions(this.#positions);
    // The cursor is held with the message: it counts too (it grows with the clusters in scope).
    if (this.#queue.push({ ...message, cursor }, bytes + cursor.length) === 'overflow') {
      // Even the latest state of each object is too much: tell it why it ends.
      this.#overflowed = true;
      this.#overflow = { type: message.type, clusterId: message.clusterId, overflow: true, cursor };
      this.#stopWatches();
      this.#wake?.();
      return;
    }
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Attaches to the shared watch of the cluster when allowed, else watches as the caller. */
  async #follow(clusterId: string): Promise<void> {
    const { sharedWatches, context } = this.#options;
    if (sharedWatches && !this.#options.since && !this.#alone) {
      try {
        const path = await this.#options.pathFor(clusterId);
        const scope = agentReadableScope(path);
        if (scope && (await callerMayWatch(context, clusterId, scope))) {
          if (!this.#ended) this.#attachShared(sharedWatches, clusterId, path, scope);
          return;
        }
      } catch {
        // The caller's own watch reports what is wrong.
      }
    }
    if (!this.#ended) this.#watchAsCaller(clusterId);
  }

  #attachShared(
    sharedWatches: SharedWatches,
    clusterId: string,
    path: string,
    scope: AgentReadableScope,
  ): void {
    const leave = () => {
      clearInterval(review);
      this.#stops.delete(leave);
      detach();
    };
    const watchAsCaller = () => {
      leave();
      if (!this.#ended) this.#watchAsCaller(clusterId);
    };
    // A caller's own watch is authorized again whenever it restarts (every few minutes); a
    // shared one is reviewed as often, so that revoked access stops delivery as soon. When
    // refused, the caller's own watch takes over and reports why.
    const review = setInterval(
      async () => {
        if (!(await callerMayWatch(this.#options.context, clusterId, scope)) && this.#stops.has(leave))
          watchAsCaller();
      },
      WATCH_TIMEOUT_SECONDS * 1000 * (1 + Math.random() / 10),
    );
    const detach = sharedWatches.attach(
      {
        clusterId,
        path,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
      },
      {
        position: (resourceVersion) => {
          if (!this.#ended) this.#positions.set(clusterId, resourceVersion);
        },
        change: (type, object, bytes) => this.#push({ type, clusterId, object }, bytes),
        gap: (message) => this.#push({ type: 'GAP', clusterId, message }),
        error: (message) => this.#push({ type: 'ERROR', clusterId, message }),
        refused: watchAsCaller,
      },
    );
    this.#stops.add(leave);
  }

  #watchAsCaller(clusterId: string): void {
    const { context, labelSelector, fieldSelector } = this.#options;
    const watch = new Informer(
      {
        kube: context.kube,
        clusterId,
        as: context.identity,
        path: () => this.#options.pathFor(clusterId),
        mode: 'watch',
        labelSelector,
        fieldSelector,
        from: this.#positions.get(clusterId),
      },
      {
        position: (resourceVersion) => {
          if (!this.#ended) this.#positions.set(clusterId, resourceVersion);
        },
        changed: (type, object, bytes) => this.#push({ type, clusterId, object }, bytes),
        gap: (message) => this.#push({ type: 'GAP', clusterId, message }),
        failed: (error, final) =>
          this.#push({ type: 'ERROR', clusterId, message: watchFailure(error, final) }),
      },
    );
    this.#stops.add(() => watch.stop());
  }
}
