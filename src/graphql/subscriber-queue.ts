/**
 * What one subscriber has not read yet, bounded by a number of items and by their bytes
 * (as they arrived): `push` answers false, keeping nothing, once either bound would be
 * passed, and the subscriber is then ended rather than allowed to grow memory.
 */
export class SubscriberQueue<T> {
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #items: T[] = [];
  readonly #sizes: number[] = [];
  #bytes = 0;

  constructor(maxItems: number, maxBytes: number) {
    this.#maxItems = maxItems;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#items.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Adds an item of `bytes`; false (and nothing added) when that would pass a bound. */
  push(item: T, bytes = 0): boolean {
    if (this.#items.length >= this.#maxItems || this.#bytes + bytes > this.#maxBytes) return false;
    this.#items.push(item);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    return true;
  }

  shift(): T | undefined {
    this.#bytes -= this.#sizes.shift() ?? 0;
    return this.#items.shift();
  }

  /** Drops everything and puts `last` alone in the queue (whatever the bounds). */
  replaceAll(last: T): void {
    this.#items.length = 0;
    this.#sizes.length = 0;
    this.#bytes = 0;
    this.#items.push(last);
    this.#sizes.push(0);
  }
}
