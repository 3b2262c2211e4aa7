/**
 * Calls in flight by key: a call made while an identical one is still running gets that
 * one's answer instead of asking again. Nothing is kept once a call has settled, so every
 * answer is as fresh as the request that receives it. Thousands of subscribers of the same
 * few people attach at once (a dashboard's start, a gateway's restart): each would otherwise
 * ask the cluster the same question through the tunnel.
 */
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  /** Calls in flight now. */
  get size(): number {
    return this.#running.size;
  }

  run(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const started = call().finally(() => {
      if (this.#running.get(key) === started) this.#running.delete(key);
    });
    this.#running.set(key, started);
    return started;
  }
}
