import type { ApiTokenRecord } from './api-token-repository.ts';

/**
 * How long a token's stored record is reused without reading the store again. Revocations
 * clear the cache at once (ApiTokens); this bounds only changes that announce nothing.
 */
export const TOKEN_RECORD_CACHE_MS = 2_000;
/** Records kept at most; the oldest goes first. */
export const TOKEN_RECORD_CACHE_MAX = 10_000;

interface Entry {
  readonly record: ApiTokenRecord;
  readonly until: number;
}

/**
 * The stored records of recently verified tokens, by token id: reading the store (a SQLite
 * query and the principal's JSON) was 6–10 % of the gateway's CPU per passthrough request.
 * It holds only what the store holds (the secret's SHA-256, never the secret), so every
 * verification still hashes the presented secret and compares it, and still checks
 * revocation and expiry on the record.
 */
export class TokenRecordCache {
  readonly #entries = new Map<string, Entry>();

  get(tokenId: string, nowMs: number): ApiTokenRecord | undefined {
    const entry = this.#entries.get(tokenId);
    if (!entry) return undefined;
    if (entry.until > nowMs) return entry.record;
    this.#entries.delete(tokenId);
    return undefined;
  }

  set(tokenId: string, record: ApiTokenRecord, nowMs: number): void {
    this.#entries.delete(tokenId);
    if (this.#entries.size >= TOKEN_RECORD_CACHE_MAX) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(tokenId, { record, until: nowMs + TOKEN_RECORD_CACHE_MS });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Forgets everything: a token was revoked (here or on another replica). */
  clear(): void {
    this.#entries.clear();
  }
}
