import type { Duplex } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import { WATCH_TIMEOUT_SECONDS } from '../kube/limits.ts';
import type { ChangeMessage, ChangeStream, ShareClass } from './change-stream.ts';
import type { GraphQLContext } from './context.ts';
import { type Respond, ResponseStream } from './response-stream.ts';
import type { ChangeFeed, FeedMember, SharedDelivery } from './shared-changes.ts';
import { SubscriberQueue } from './subscriber-queue.ts';
import { frameHead, writeCorked } from './text-frames.ts';
import { callerMayWatch } from './watch-access.ts';

/**
 * Bytes handed to a socket and not yet written out, per subscriber: past this, changes wait
 * in the subscriber's queue, where they can be coalesced, instead of in the socket's buffer,
 * where they cannot.
 */
export const MAX_IN_FLIGHT_BYTES = 64 * 1024;
const DONE: IteratorResult<ExecutionResult> = { done: true, value: undefined };

/**
 * The bytes of `text` in a memory of their own. `Buffer.from` takes small buffers from a
 * shared 8 KiB pool, and a small buffer kept for a subscriber's life keeps its whole slab
 * alive: made between other allocations, every subscriber's prefix pinned a slab of its own.
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** What a shared subscriber needs to know about its subscription. */
export interface SharedSubscriberOptions {
  readonly socket: WebSocket;
  /**
   * The connection under `socket` (what the server upgraded): frames are written to it
   * directly, the shared bytes of a change not copied per member (text-frames.ts).
   */
  readonly transport: Duplex;
  /** The graphql-ws operation id its `next` messages carry. */
  readonly operationId: string;
  readonly context: GraphQLContext;
  /** The subscriber's own stream, never started unless it is handed back. */
  readonly stream: ChangeStream;
  readonly shareClass: ShareClass;
  /** Runs the subscription's selection set for this subscriber alone (its last message, or after a hand-back). */
  readonly respond: Respond<ChangeMessage>;
}

/**
 * One subscriber served by a shared stream: it writes the stream's serialized changes to
 * its own socket as graphql-ws `next` messages (only the operation id is its own), keeps
 * what the socket cannot take yet in a bounded queue that coalesces per object when it falls
 * behind, reviews its access as often as its own watch would be, and goes on with its own
 * watches when the shared stream may no longer serve it. To graphql-ws it is the operation's
 * result stream: it yields nothing itself until then, except the error that ends a
 * subscriber too slow even for coalescing.
 */
export class SharedSubscriber implements FeedMember, AsyncGenerator<ExecutionResult, undefined, undefined> {
  readonly #options: SharedSubscriberOptions;
  readonly #queue: SubscriberQueue<SharedDelivery>;
  readonly #prefix: Buffer;
  readonly #review: NodeJS.Timeout;
  #feed: ChangeFeed | undefined;
  /** Positions after the last change it was given: where it goes on from if handed back. */
  #positions: ReadonlyMap<string, string> = new Map();
  #inFlight = 0;
  #state: 'shared' | 'overflowed' | 'alone' | 'done' = 'shared';
  #last: ChangeMessage | undefined;
  #alone: ResponseStream<ChangeMessage> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: SharedSubscriberOptions) {
    this.#options = options;
    const { stream } = options;
    this.#queue = new SubscriberQueue(
      { maxItems: stream.maxQueue, maxBytes: stream.maxQueueBytes },
      (delivery) => delivery.key,
    );
    this.#prefix = ownBytes(`{"id":${JSON.stringify(options.operationId)},"type":"next","payload":`);
    // A caller's own watch is authorized again whenever it restarts (every few minutes); a
    // shared stream reviews its subscribers as often, so that revoked access stops delivery
    // as soon. When refused, its own watches take over and report why.
    this.#review = setInterval(
      () => void this.#reviewAccess(),
      WATCH_TIMEOUT_SECONDS * 1000 * (1 + Math.random() / 10),
    );
    this.#review.unref();
  }

  /** Undelivered changes (tests look). */
  get queued(): number {
    return this.#queue.length;
  }

  /** The feed it is attached to; set once by whoever joined it. */
  attach(feed: ChangeFeed): void {
    this.#feed = feed;
  }

  joined(positions: ReadonlyMap<string, string>): void {
    this.#positions = positions;
  }

  deliver(delivery: SharedDelivery): void {
    if (this.#state !== 'shared') return;
    this.#positions = delivery.positions;
    if (this.#queue.push(delivery, delivery.tail.length + this.#prefix.length) === 'overflow') {
      this.#state = 'overflowed';
      this.#last = {
        type: delivery.message.type,
        clusterId: delivery.message.clusterId,
        overflow: true,
        cursor: delivery.message.cursor,
      };
      this.#leave();
      this.#wake?.();
      return;
    }
    this.#pump();
  }

  handBack(): void {
    if (this.#state !== 'shared') return;
    this.#leave();
    // What it already has goes out first, then its own watches go on from where that ended.
    this.#pump(Number.POSITIVE_INFINITY);
    this.#options.stream.resumeAlone(this.#positions);
    this.#alone = new ResponseStream(this.#options.stream, this.#options.respond);
    this.#state = 'alone';
    this.#wake?.();
  }

  #pump(limit = MAX_IN_FLIGHT_BYTES): void {
    const { socket, transport } = this.#options;
    // Everything waiting that the budget allows, as whole frames in one corked write: a
    // subscriber that fell behind catches up in few, larger writes.
    const chunks: Buffer[] = [];
    let batch = 0;
    while (this.#inFlight + batch < limit && socket.readyState === socket.OPEN && transport.writable) {
      const next = this.#queue.shift();
      if (!next) break;
      const whole = next.item.wholeFrame(this.#options.operationId, this.#prefix, next.coalesced);
      if (whole) {
        chunks.push(whole);
        batch += whole.length;
        continue;
      }
      const tail = next.coalesced ? next.item.coalescedTail() : next.item.tail;
      const head = frameHead(this.#prefix, tail.length);
      chunks.push(head, tail);
      batch += head.length + tail.length;
    }
    if (batch === 0) return;
    this.#inFlight += batch;
    writeCorked(transport, chunks, () => {
      this.#inFlight -= batch;
      if (this.#state === 'shared') this.#pump();
    });
  }

  async #reviewAccess(): Promise<void> {
    if (this.#state !== 'shared') return;
    const { context, shareClass } = this.#options;
    for (const { clusterId, scope } of shareClass.collections) {
      if (!(await callerMayWatch(context, clusterId, scope))) {
        this.handBack();
        return;
      }
    }
  }

  #leave(): void {
    clearInterval(this.#review);
    const feed = this.#feed;
    this.#feed = undefined;
    feed?.remove(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    for (;;) {
      switch (this.#state) {
        case 'alone':
          return (this.#alone as ResponseStream<ChangeMessage>).next();
        case 'done':
          return DONE;
        case 'overflowed': {
          this.#state = 'done';
          this.#queue.clear();
          const last = this.#last as ChangeMessage;
          return { done: false, value: await this.#options.respond(last) };
        }
        case 'shared':
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          this.#wake = undefined;
      }
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    const alone = this.#alone;
    this.#state = 'done';
    this.#leave();
    this.#queue.clear();
    this.#wake?.();
    await alone?.return();
    return DONE;
  }

  async throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
