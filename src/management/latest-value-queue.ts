/**
 * Writes the latest value of each key, a few at a time, with a bounded number of keys
 * waiting: a key offered again while it waits only replaces its value; a new key offered
 * while `maxWaiting` keys wait is dropped. For best-effort writes (a token's last use) that
 * must never become thousands of writes in flight, nor a queue that grows without bound.
 */
export class LatestValueQueue<V> {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #write: (key: string, value: V) => Promise<void>;
  readonly #waiting = new Map<string, V>();
  #inFlight = 0;

  /** `write` must not throw: its failures are its own to log. */
  constructor(options: {
    readonly concurrency: number;
    readonly maxWaiting: number;
    readonly write: (key: string, value: V) => Promise<void>;
  }) {
    this.#concurrency = options.concurrency;
    this.#maxWaiting = options.maxWaiting;
    this.#write = options.write;
  }

  /** Keys waiting for a write. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Writes under way. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Queues `value` for `key`; false when it was dropped because the queue is full. */
  offer(key: string, value: V): boolean {
    if (!this.#waiting.has(key) && this.#waiting.size >= this.#maxWaiting) return false;
    this.#waiting.set(key, value);
    while (this.#inFlight < this.#concurrency && this.#waiting.size > 0) void this.#drain();
    return true;
  }

  async #drain(): Promise<void> {
    this.#inFlight++;
    try {
      for (const [key, value] of this.#waiting) {
        this.#waiting.delete(key);
        await this.#write(key, value);
      }
    } finally {
      this.#inFlight--;
    }
  }
}
