import { type ChangeMessage, changeKey, encodePositions, type ShareClass } from './change-stream.ts';
import type { SharedWatches } from './shared-watches.ts';

/**
 * One change as a shared stream delivers it: executed and serialized once, and the same
 * bytes sent to every subscriber of its class.
 */
export interface SharedDelivery {
  readonly message: ChangeMessage;
  /** What the change is about, for coalescing (see changeKey). */
  readonly key: string | undefined;
  /** The `payload` of a graphql-ws `next` message, as JSON bytes. */
  readonly payload: Buffer;
  /** The same payload with `coalesced: true`, made once, when a subscriber first needs it. */
  coalescedPayload(): Buffer;
}

/** Runs the subscription's selection set on one message and serializes the result. */
export type SerializeChange = (message: ChangeMessage) => Buffer;

/** A subscriber of a shared stream (see shared-subscriber.ts). */
export interface FeedMember {
  deliver(delivery: SharedDelivery): void;
  /** The stream can no longer serve it: it follows on its own from `positions`. */
  handBack(positions: ReadonlyMap<string, string>): void;
}

class Delivery implements SharedDelivery {
  readonly message: ChangeMessage;
  readonly key: string | undefined;
  readonly payload: Buffer;
  readonly #serialize: SerializeChange;
  #coalesced: Buffer | undefined;

  constructor(message: ChangeMessage, serialize: SerializeChange) {
    this.message = message;
    this.key = changeKey(message);
    this.#serialize = serialize;
    this.payload = serialize(message);
  }

  coalescedPayload(): Buffer {
    this.#coalesced ??= this.#serialize({ ...this.message, coalesced: true });
    return this.#coalesced;
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

  /** Positions as of the last change delivered (a member handed back resumes from them). */
  get positions(): ReadonlyMap<string, string> {
    return this.#positions;
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
  }

  remove(member: FeedMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.stop();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const detach of this.#detaches.splice(0)) detach();
    this.#onEmpty();
  }

  #publish(change: Omit<ChangeMessage, 'cursor'>): void {
    if (this.#stopped || this.members.size === 0) return;
    let delivery: Delivery;
    try {
      delivery = new Delivery({ ...change, cursor: this.#cursor() }, this.#serialize);
    } catch {
      // What cannot be run once for all is run for each: every member goes on alone.
      this.#handBackAll();
      return;
    }
    for (const member of this.members) member.deliver(delivery);
  }

  #cursor(): string {
    const sorted = new Map<string, string>();
    for (const { clusterId } of this.#shareClass.collections) {
      const position = this.#positions.get(clusterId);
      if (position !== undefined) sorted.set(clusterId, position);
    }
    return encodePositions(sorted);
  }

  #handBackAll(): void {
    const members = [...this.members];
    this.members.clear();
    this.stop();
    for (const member of members) member.handBack(this.#positions);
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
