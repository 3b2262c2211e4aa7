import type { ExecutionResult } from 'graphql';

/** Runs a subscription's selection set on one event of its source stream. */
export type Respond<T> = (event: T) => ExecutionResult | Promise<ExecutionResult>;

/**
 * A subscription's results: each event of its source stream run through the selection set,
 * as graphql-js `subscribe` does. `return` reaches the source at once, even while a `next`
 * waits for an event (an async generator would hold it until that event came).
 */
export class ResponseStream<T> implements AsyncGenerator<ExecutionResult, undefined, undefined> {
  readonly #source: AsyncIterator<T>;
  readonly #respond: Respond<T>;

  constructor(source: AsyncIterable<T>, respond: Respond<T>) {
    this.#source = source[Symbol.asyncIterator]();
    this.#respond = respond;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    const event = await this.#source.next();
    if (event.done) return { done: true, value: undefined };
    return { done: false, value: await this.#respond(event.value) };
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.#source.return?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.#source.return?.();
    throw error;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
