import { type ChangeMessage, changeKey, encodePositions, type ShareClass } from './change-stream.ts';
import type { SharedWatches } from './shared-watches.ts';
import { WholeFrames } from './text-frames.ts';

/**
 * One change as a shared stream delivers it: executed and serialized once, and the same
 * bytes sent to every subscriber of its class.
 */
export interface SharedDelivery {
  readonly message: ChangeMessage;
  /** Position per cluster after this change (what its cursor encodes). */
  readonly positions: ReadonlyMap<string, string>;
  /** What the change is about, for coalescing (see changeKey). */
  readonly key: string | undefined;
  /**
   * The end of a graphql-ws `next` message, the same for every member: its `payload` as JSON
   * and the closing brace (each member writes its own `{"id":...,"payload":` before it).
   */
  readonly tail: Buffer;
  /** The same with `coalesced: true`, made once, when a subscriber first needs it. */
  coalescedTail(): Buffer;
  /**
   * The whole `next` frame for a member whose message starts with `prefix` (its
   * `operationId`), the same bytes for every member with that id; undefined past the first
   * few ids (text-frames.ts, WholeFrames): that member writes its own head beside the tail.
   */
  wholeFrame(operationId: string, prefix: Buffer, coalesced: boolean): Buffer | undefined;
}

/** Runs the subscription's selection set on one message and serializes the result as JSON. */
export type SerializeChange = (message: ChangeMessage) => string;

/** A `next` message's payload and its closing brace, as bytes. */
function tailOf(payload: string): Buffer {
  return Buffer.from(`${payload}}`);
}

/** A subscriber of a shared stream (see shared-subscriber.ts). */
export interface FeedMember {
  /** From now on (`positions`: where the stream is), it receives what the stream delivers. */
  joined(positions: ReadonlyMap<string, string>): void;
  deliver(delivery: SharedDelivery): void;
  /** The stream can no longer serve it: it follows on its own from the last change it got. */
  handBack(): void;
}

/**
 * Members a change is handed to before the feed lets other work run (accepting and reading
 * sockets): handing one change to 10,000 members in one go held the event loop for a third
 * of a second, long enough for new connections to overflow the listen backlog.
 */
export const FAN_OUT_SLICE = 500;

interface FanOut {
  readonly delivery: Delivery;
  readonly members: readonly FeedMember[];
  next: number;
}

class Delivery implements SharedDelivery {
  readonly message: ChangeMessage;
  readonly positions: ReadonlyMap<string, string>;
  readonly key: string | undefined;
  readonly tail: Buffer;
  readonly #serialize: SerializeChange;
  #coalesced: Buffer | undefined;
  #frames: WholeFrames | undefined;
  #coalescedFrames: WholeFrames | undefined;
  #framesClosed = false;

  constructor(message: ChangeMessage, positions: ReadonlyMap<string, string>, serialize: SerializeChange) {
    this.message = message;
    this.positions = positions;
    this.key = changeKey(message);
    this.#serialize = serialize;
    this.tail = tailOf(serialize(message));
  }

  coalescedTail(): Buffer {
    this.#coalesced ??= tailOf(this.#serialize({ ...this.message, coalesced: true }));
    return this.#coalesced;
  }

  wholeFrame(operationId: string, prefix: Buffer, coalesced: boolean): Buffer | undefined {
    if (this.#framesClosed) return undefined;
    if (coalesced) {
      this.#coalescedFrames ??= new WholeFrames(this.coalescedTail());
      return this.#coalescedFrames.frame(operationId, prefix);
    }
    this.#frames ??= new WholeFrames(this.tail);
    return this.#frames.frame(operationId, prefix);
  }

  /** Every member has been handed the change: its whole frames go (text-frames.ts, MAX_WHOLE_FRAMES). */
  closeFrames(): void {
    this.#framesClosed = true;
    this.#frames?.close();
    this.#coalescedFrames?.close();
  }
}

/**
 * The changes of one share class (the same document, variables and shared collections),
 * merged from the shared watches of its clusters with one cursor, executed and serialized
 * once per change for all its members.
 */
export class ChangeFeed {
  readonly members = new Set<FeedMember>();
  readonly #sharedWatches: SharedWatches;
  readonly #shareClass: ShareClass;
  readonly #serialize: SerializeChange;
  readonly #onEmpty: () => void;
  /** Position per cluster; the cursor lists clusters in a fixed order, so every member gets the same bytes. */
  readonly #positions = new Map<string, string>();
  readonly #detaches: (() => void)[] = [];
  /** Changes being handed to their members, oldest first: each member gets them in order. */
  readonly #fanOuts: FanOut[] = [];
  #fanOutScheduled = false;
  #stopped = false;

  constructor(
    sharedWatches: SharedWatches,
    shareClass: ShareClass,
    serialize: SerializeChange,
    onEmpty: () => void,
  ) {
    this.#sharedWatches = sharedWatches;
    this.#shareClass = shareClass;
    this.#serialize = serialize;
    this.#onEmpty = onEmpty;
  }

  start(): void {
    const { labelSelector, fieldSelector } = this.#shareClass;
    for (const { clusterId, path } of this.#shareClass.collections) {
      this.#detaches.push(
        this.#sharedWatches.attach(
          { clusterId, path, labelSelector, fieldSelector },
          {
            position: (resourceVersion) => this.#positions.set(clusterId, resourceVersion),
            change: (type, object) => this.#publish({ type, clusterId, object }),
            gap: (message) => this.#publish({ type: 'GAP', clusterId, message }),
            error: (message) => this.#publish({ type: 'ERROR', clusterId, message }),
            // The gateway may not watch this: every member follows on its own, as the caller.
            refused: () => this.#handBackAll(),
          },
        ),
      );
    }
  }

  add(member: FeedMember): void {
    this.members.add(member);
    member.joined(this.#sortedPositions());
  }

  remove(member: FeedMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.stop();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#fanOuts.length = 0;
    for (const detach of this.#detaches.splice(0)) detach();
    this.#onEmpty();
  }

  #publish(change: Omit<ChangeMessage, 'cursor'>): void {
    if (this.#stopped || this.members.size === 0) return;
    let delivery: Delivery;
    try {
      const positions = this.#sortedPositions();
      delivery = new Delivery({ ...change, cursor: encodePositions(positions) }, positions, this.#serialize);
    } catch {
      // What cannot be run once for all is run for each: every member goes on alone.
      this.#handBackAll();
      return;
    }
    this.#fanOuts.push({ delivery, members: [...this.members], next: 0 });
    this.#fanOut();
  }

  /** Hands pending changes to their members, FAN_OUT_SLICE at a time. */
  #fanOut(): void {
    this.#fanOutScheduled = false;
    let budget = FAN_OUT_SLICE;
    while (budget > 0 && !this.#stopped) {
      const current = this.#fanOuts[0];
      if (!current) return;
      const end = Math.min(current.members.length, current.next + budget);
      for (let i = current.next; i < end; i++) current.members[i]?.deliver(current.delivery);
      budget -= end - current.next;
      current.next = end;
      if (end === current.members.length) {
        current.delivery.closeFrames();
        this.#fanOuts.shift();
      }
    }
    if (this.#fanOuts.length > 0 && !this.#fanOutScheduled && !this.#stopped) {
      this.#fanOutScheduled = true;
      setImmediate(() => this.#fanOut());
    }
  }

  /** Positions in a fixed order of clusters, so that every member's cursor is the same bytes. */
  #sortedPositions(): Map<string, string> {
    const sorted = new Map<string, string>();
    for (const { clusterId } of this.#shareClass.collections) {
      const position = this.#positions.get(clusterId);
      if (position !== undefined) sorted.set(clusterId, position);
    }
    return sorted;
  }

  #handBackAll(): void {
    const members = [...this.members];
    this.members.clear();
    this.stop();
    for (const member of members) member.handBack();
  }
}

/** The shared streams running now, by share key; a stream ends with its last member. */
export class ChangeFeeds {
  readonly #sharedWatches: SharedWatches;
  readonly #feeds = new Map<string, ChangeFeed>();

  constructor(sharedWatches: SharedWatches) {
    this.#sharedWatches = sharedWatches;
  }

  /** Shared streams running now. */
  get size(): number {
    return this.#feeds.size;
  }

  /** Subscribers they serve. */
  get memberCount(): number {
    let total = 0;
    for (const feed of this.#feeds.values()) total += feed.members.size;
    return total;
  }

  /**
   * The feed of `shareKey` (made with `serialize` and started if there is none) with
   * `member` added.
   */
  join(shareKey: string, shareClass: ShareClass, serialize: SerializeChange, member: FeedMember): ChangeFeed {
    let feed = this.#feeds.get(shareKey);
    if (!feed) {
      const created: ChangeFeed = new ChangeFeed(this.#sharedWatches, shareClass, serialize, () => {
        if (this.#feeds.get(shareKey) === created) this.#feeds.delete(shareKey);
      });
      feed = created;
      this.#feeds.set(shareKey, created);
      created.start();
    }
    feed.add(member);
    return feed;
  }
}
