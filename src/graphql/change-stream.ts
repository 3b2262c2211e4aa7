import { StringDecoder } from 'node:string_decoder';
import { GraphQLError } from 'graphql';
import type { TunnelStream } from '../tunnel/stream.ts';
import type { GraphQLContext } from './context.ts';
import type { KubernetesObject } from './resource-item.ts';

/** One message of a change subscription. */
export interface ChangeMessage {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'GAP' | 'ERROR';
  readonly clusterId: string;
  readonly object?: KubernetesObject;
  readonly message?: string;
  readonly cursor: string;
  /** Set on the last message of a subscriber that could not keep up. */
  readonly overflow?: boolean;
}

export interface ChangeStreamOptions {
  readonly context: GraphQLContext;
  readonly clusterIds: readonly string[];
  readonly pathFor: (clusterId: string) => Promise<string | GraphQLError>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Positions to resume from (cluster id -> resourceVersion). */
  readonly since?: Readonly<Record<string, string>>;
  /** Undelivered messages a subscriber may have before it is ended. */
  readonly maxQueue: number;
}

/** Longest line a watch may send (one object). */
const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;
/** Apiservers end watches after this; the stream then re-watches from where it was. */
const WATCH_TIMEOUT_SECONDS = 300;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;

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
  throw new GraphQLError('malformed since cursor: pass the cursor of a message', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/**
 * The caller's own watches of one kind on every cluster in scope, merged into one stream
 * with a resumable cursor. Each subscriber has a bounded queue: one that cannot keep up
 * is ended with SUBSCRIBER_TOO_SLOW instead of growing memory or slowing anyone else.
 */
export class ChangeStream implements AsyncIterableIterator<ChangeMessage> {
  readonly #options: ChangeStreamOptions;
  readonly #positions = new Map<string, string>();
  readonly #queue: ChangeMessage[] = [];
  readonly #watches = new Set<TunnelStream>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #wake: (() => void) | undefined;
  #closed = false;
  #overflowed = false;

  constructor(options: ChangeStreamOptions) {
    this.#options = options;
    for (const [clusterId, rv] of Object.entries(options.since ?? {})) this.#positions.set(clusterId, rv);
    for (const clusterId of options.clusterIds) void this.#follow(clusterId);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeMessage> {
    return this;
  }

  async next(): Promise<IteratorResult<ChangeMessage>> {
    while (!this.#closed) {
      const message = this.#queue.shift();
      if (message) {
        if (message.overflow) this.#close();
        return { done: false, value: message };
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

  #close(): void {
    if (this.#closed && !this.#overflowed) return;
    this.#closed = true;
    for (const watch of this.#watches) watch.destroy();
    this.#watches.clear();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#wake?.();
  }

  #push(message: Omit<ChangeMessage, 'cursor'>): void {
    if (this.#closed || this.#overflowed) return;
    if (this.#queue.length >= this.#options.maxQueue) {
      // Drop what it could not take and tell it why it ends.
      this.#overflowed = true;
      this.#queue.length = 0;
      this.#queue.push({ ...message, overflow: true, cursor: encodePositions(this.#positions) });
      for (const watch of this.#watches) watch.destroy();
      this.#wake?.();
      return;
    }
    this.#queue.push({ ...message, cursor: encodePositions(this.#positions) });
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  async #currentVersion(clusterId: string, path: string): Promise<string> {
    const { context } = this.#options;
    const { status, body } = await context.clusterClient.json<{
      metadata?: { resourceVersion?: string };
      message?: string;
    }>(clusterId, {
      method: 'GET',
      path: `${path}?limit=1`,
      headers: context.identityHeaders,
    });
    if (status !== 200) throw new WatchRefused(status, body.message ?? `answered ${status}`);
    return body.metadata?.resourceVersion ?? '0';
  }

  async #follow(clusterId: string): Promise<void> {
    let delay = RETRY_MIN_MS;
    let reportedOutage = false;
    while (!this.#closed && !this.#overflowed) {
      try {
        const path = await this.#options.pathFor(clusterId);
        if (path instanceof GraphQLError) {
          this.#push({ type: 'ERROR', clusterId, message: path.message });
          return;
        }
        if (!this.#positions.has(clusterId))
          this.#positions.set(clusterId, await this.#currentVersion(clusterId, path));
        const gone = await this.#watchOnce(clusterId, path);
        if (gone) {
          this.#positions.set(clusterId, await this.#currentVersion(clusterId, path));
          this.#push({
            type: 'GAP',
            clusterId,
            message: 'changes since the given position are no longer available; list again',
          });
        }
        delay = RETRY_MIN_MS;
        reportedOutage = false;
      } catch (error) {
        if (this.#closed) return;
        if (error instanceof WatchRefused && (error.status === 403 || error.status === 401)) {
          this.#push({ type: 'ERROR', clusterId, message: `forbidden: ${error.message}` });
          return;
        }
        if (!reportedOutage)
          this.#push({
            type: 'ERROR',
            clusterId,
            message: `watch interrupted, retrying: ${(error as Error).message}`,
          });
        reportedOutage = true;
        await this.#sleep(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }

  /** Runs one watch until it ends; true when its starting position was too old (410). */
  async #watchOnce(clusterId: string, path: string): Promise<boolean> {
    const { context, labelSelector, fieldSelector } = this.#options;
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: this.#positions.get(clusterId) ?? '0',
      timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
    });
    if (labelSelector) query.set('labelSelector', labelSelector);
    if (fieldSelector) query.set('fieldSelector', fieldSelector);
    const { head, stream } = await context.clusterClient.request(clusterId, {
      method: 'GET',
      path: `${path}?${query}`,
      headers: [['Accept', 'application/json'], ...context.identityHeaders],
    });
    if (head.status === 410) {
      stream.destroy();
      return true;
    }
    if (head.status !== 200) {
      stream.destroy();
      throw new WatchRefused(head.status, `watch answered ${head.status}`);
    }
    this.#watches.add(stream);
    try {
      let pending = '';
      const decoder = new StringDecoder('utf8');
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        pending += decoder.write(chunk);
        if (pending.length > MAX_WATCH_LINE_BYTES) throw new Error('watch event larger than 16 MiB');
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim() && this.#onEvent(clusterId, line)) return true;
          newline = pending.indexOf('\n');
        }
      }
      return false;
    } finally {
      this.#watches.delete(stream);
      stream.destroy();
    }
  }

  /** Handles one watch event; true when the watch says its position is gone. */
  #onEvent(clusterId: string, line: string): boolean {
    const event = JSON.parse(line) as {
      type?: string;
      object?: KubernetesObject & { code?: number; message?: string };
    };
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object?.code === 410) return true;
      throw new Error(object?.message ?? 'watch error');
    }
    const resourceVersion = (object?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (resourceVersion) this.#positions.set(clusterId, resourceVersion);
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
      this.#push({ type: event.type, clusterId, object });
    }
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
