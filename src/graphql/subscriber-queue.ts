/** How much one subscriber may have undelivered. */
export interface QueueLimits {
  /** Messages (while behind: distinct objects). */
  readonly maxItems: number;
  /** Bytes of the messages (as they arrived, or as they will be sent). */
  readonly maxBytes: number;
}

/** What `push` did with an item. */
export type PushOutcome = 'queued' | 'coalesced' | 'overflow';

/** An item as it leaves the queue; `coalesced` when it replaced earlier undelivered ones. */
export interface Dequeued<T> {
  readonly item: T;
  readonly coalesced: boolean;
}

interface Entry<T> {
  readonly item: T;
  readonly bytes: number;
  coalesced: boolean;
}

/**
 * What one subscriber has not read yet, bounded in items and in bytes. While within both
 * bounds it is a plain FIFO: every change is delivered. When a push would pass a bound the
 * subscriber is behind, and the queue keeps only the latest item per key (per object), in
 * the order of their last change, each marked `coalesced` if it replaced an earlier one,
 * until it has been read empty. Only when even the latest states pass a bound does `push`
 * answer 'overflow' (and the subscriber is then ended): a slow reader costs at most the
 * bounds, however fast changes come.
 */
export class SubscriberQueue<T> {
  readonly #limits: QueueLimits;
  /** The coalescing key of an item; undefined: never coalesced. */
  readonly #keyOf: (item: T) => string | undefined;
  #fifo: Entry<T>[] = [];
  /** The latest entry per key while behind; undefined while keeping up. */
  #latest: Map<string, Entry<T>> | undefined;
  #bytes = 0;
  #unkeyed = 0;

  constructor(limits: QueueLimits, keyOf: (item: T) => string | undefined) {
    this.#limits = limits;
    this.#keyOf = keyOf;
  }

  get length(): number {
    return this.#latest ? this.#latest.size : this.#fifo.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** True while the queue keeps only the latest item per key. */
  get coalescing(): boolean {
    return this.#latest !== undefined;
  }

  /** Adds an item of `bytes`; 'overflow' (the queue then emptied) when even coalescing cannot hold it. */
  push(item: T, bytes = 0): PushOutcome {
    const entry: Entry<T> = { item, bytes, coalesced: false };
    let latest = this.#latest;
    if (!latest) {
      if (this.#fifo.length < this.#limits.maxItems && this.#bytes + bytes <= this.#limits.maxBytes) {
        this.#fifo.push(entry);
        this.#bytes += bytes;
        return 'queued';
      }
      // Behind: from now on only the latest state of each object waits.
      latest = new Map();
      this.#latest = latest;
      const waiting = this.#fifo;
      this.#fifo = [];
      this.#bytes = 0;
      for (const earlier of waiting) this.#keep(latest, earlier);
    }
    this.#keep(latest, entry);
    if (latest.size > this.#limits.maxItems || this.#bytes > this.#limits.maxBytes) {
      this.clear();
      return 'overflow';
    }
    return 'coalesced';
  }

  #keep(latest: Map<string, Entry<T>>, entry: Entry<T>): void {
    const key = this.#keyOf(entry.item) ?? `\0${this.#unkeyed++}`;
    const earlier = latest.get(key);
    if (earlier) {
      latest.delete(key); // re-inserted last: items leave in the order of their last change
      this.#bytes -= earlier.bytes;
      entry.coalesced = true;
    }
    latest.set(key, entry);
    this.#bytes += entry.bytes;
  }

  /** The next item, or undefined when there is none. */
  shift(): Dequeued<T> | undefined {
    const latest = this.#latest;
    if (latest) {
      const first = latest.entries().next();
      if (first.done) {
        this.#latest = undefined; // caught up: every change is delivered again
        return undefined;
      }
      const [key, entry] = first.value;
      latest.delete(key);
      this.#bytes -= entry.bytes;
      if (latest.size === 0) this.#latest = undefined;
      return entry;
    }
    const entry = this.#fifo.shift();
    if (!entry) return undefined;
    this.#bytes -= entry.bytes;
    return entry;
  }

  /** Drops everything. */
  clear(): void {
    this.#fifo = [];
    this.#latest = undefined;
    this.#bytes = 0;
  }
}
