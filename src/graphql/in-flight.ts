/** How long settled answers are kept, if at all. */
export interface InFlightOptions {
  /** An answer is reused this long after its call settled (default 0: never). Failures never are. */
  readonly keepMs?: number;
  /** Answers kept at most; the oldest go first (default 10,000). */
  readonly maxKept?: number;
}

/** Which successful answers may be kept (default: all). */
export type KeepIf<T> = (answer: T) => boolean;

interface Kept<T> {
  readonly answer: Promise<T>;
  readonly settledAt: number;
}

/**
 * Calls in flight by key: a call made while an identical one is still running gets that
 * one's answer instead of asking again, and with `keepMs` so does a call made shortly after
 * it succeeded (a failure is never kept). Thousands of subscribers of the same few people
 * attach at once (a dashboard's start, a gateway's restart): each would otherwise ask the
 * cluster the same question through the tunnel, and at a few hundred attaching a second
 * those questions (a discovery and an access review each) cost the agent and the apiserver
 * more than the subscriptions themselves.
 */
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>();
  readonly #kept = new Map<string, Kept<T>>();
  readonly #keepMs: number;
  readonly #maxKept: number;
  readonly #keepIf: KeepIf<T>;

  constructor(options: InFlightOptions = {}, keepIf: KeepIf<T> = () => true) {
    this.#keepMs = options.keepMs ?? 0;
    this.#maxKept = options.maxKept ?? 10_000;
    this.#keepIf = keepIf;
  }

  /** Calls in flight now. */
  get size(): number {
    return this.#running.size;
  }

  /** Settled answers kept now. */
  get keptCount(): number {
    return this.#kept.size;
  }

  run(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const kept = this.#kept.get(key);
    if (kept) {
      if (Date.now() - kept.settledAt < this.#keepMs) return kept.answer;
      this.#kept.delete(key);
    }
    const started = call().finally(() => {
      if (this.#running.get(key) === started) this.#running.delete(key);
    });
    this.#running.set(key, started);
    if (this.#keepMs > 0)
      started.then(
        (answer) => {
          if (this.#keepIf(answer)) this.#keep(key, started);
        },
        () => {},
      );
    return started;
  }

  #keep(key: string, answer: Promise<T>): void {
    this.#kept.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#kept.set(key, { answer, settledAt: Date.now() });
    if (this.#kept.size > this.#maxKept) {
      const oldest = this.#kept.keys().next().value;
      if (oldest !== undefined) this.#kept.delete(oldest);
    }
  }
}
