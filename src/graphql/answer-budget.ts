import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Default bytes of the objects (`object: JSON` fields) one GraphQL answer may carry: a page
 * of 1,000 objects of 64 KiB each. Past it the operation fails with ANSWER_TOO_LARGE
 * instead of building an answer of any size in one process (README, Limits).
 */
export const GRAPHQL_ANSWER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of objects one query or mutation may still put in its answer. Each object is
 * charged as its JSON before it joins the answer, so the answer never grows past the bound
 * by more than the object that crossed it; once spent, every further object is refused
 * without being measured.
 */
export class AnswerBudget {
  readonly #maxBytes: number;
  #left: number;

  constructor(maxBytes: number = GRAPHQL_ANSWER_MAX_BYTES) {
    this.#maxBytes = maxBytes;
    this.#left = maxBytes;
  }

  /** Answers `object` once its JSON fits in what is left; ANSWER_TOO_LARGE otherwise. */
  charge<T>(object: T): T {
    if (this.#left >= 0) this.#left -= Buffer.byteLength(JSON.stringify(object) ?? '');
    if (this.#left < 0)
      throw new GatewayError(
        'ANSWER_TOO_LARGE',
        `the answer's objects pass ${this.#maxBytes} bytes; ask for fewer (first) or narrower pages, or leave out the object field`,
      );
    return object;
  }
}
