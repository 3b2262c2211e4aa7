// Graceful drain of a stopping gateway (docs/replicas.md, "Drain").

/** How long open streams (watches, log follows, exec, port-forward) may run on after SIGTERM. */
export const DRAIN_DEADLINE_MS = 10_000;

/**
 * The gateway's drain state: once `start` is called the server answers not-ready and
 * refuses new work, and `settle` waits for the open streams to end, ending (cleanly, not
 * by reset) those still open at the deadline.
 */
export class Drain {
  #draining = false;
  /** Each open stream's way to end itself cleanly. */
  readonly #open = new Set<() => void>();
  readonly #settled = new Set<() => void>();

  /** True once the gateway is stopping: no new tunnel, request or stream is taken. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Streams still open. */
  get openStreams(): number {
    return this.#open.size;
  }

  /** Marks the gateway as draining. */
  start(): void {
    this.#draining = true;
  }

  /** Tracks a long-lived stream; `endCleanly` ends it at the deadline. The result forgets it. */
  track(endCleanly: () => void): () => void {
    this.#open.add(endCleanly);
    return () => {
      this.#open.delete(endCleanly);
      if (this.#open.size === 0) for (const wake of this.#settled) wake();
    };
  }

  /**
   * Resolves once every open stream ended, or after `deadlineMs`, when the streams still
   * open are ended; the result is how many had to be ended.
   */
  async settle(deadlineMs: number): Promise<number> {
    if (this.#open.size > 0) {
      let wake = () => {};
      const ended = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.#settled.add(wake);
      const timer = setTimeout(wake, deadlineMs);
      await ended;
      clearTimeout(timer);
      this.#settled.delete(wake);
    }
    const late = [...this.#open];
    this.#open.clear();
    for (const end of late) end();
    return late.length;
  }
}
