/** Caches filling their first copy at once, at most (docs/list-cache.md). */
export const MAX_CONCURRENT_FILLS = 8;
/** A fill holds its slot at most this long (a slow cluster must not hold up the others). */
export const FILL_SLOT_MAX_MS = 30_000;

/**
 * Turns for caches to make their first list: each fill holds its whole first list parsed
 * until the last page arrives, so 100 caches filling at once held 100 lists at the peak
 * (and the process's RSS kept that peak), and finished together, late, since they shared
 * the CPU. In turns, a few at a time, each finishes sooner and the peak is a few lists.
 */
export class FillSlots {
  readonly #max: number;
  #busy = 0;
  readonly #queue: (() => void)[] = [];

  constructor(max = MAX_CONCURRENT_FILLS) {
    this.#max = max;
  }

  /** Resolves with the slot's release (call it once the first list is in, or failed) when it is this fill's turn. */
  async acquire(): Promise<() => void> {
    if (this.#busy >= this.#max) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#busy++;
    let released = false;
    const timer = setTimeout(() => release(), FILL_SLOT_MAX_MS);
    timer.unref();
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      const next = this.#queue.shift();
      // The slot passes straight to the next fill waiting, or is freed.
      if (next) next();
      else this.#busy--;
    };
    return release;
  }
}
