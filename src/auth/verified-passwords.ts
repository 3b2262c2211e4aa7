import { createHmac, randomBytes } from 'node:crypto';

/** How long a verified HTTP Basic password is remembered, and how many at most. */
export interface VerifiedPasswordLimits {
  readonly ttlMs: number;
  readonly max: number;
}

export const VERIFIED_PASSWORD_LIMITS: VerifiedPasswordLimits = { ttlMs: 60_000, max: 1000 };

/**
 * HTTP Basic passwords verified lately, so that a script sending Basic on every call costs
 * one scrypt a minute rather than one per request. Only right passwords are remembered (a
 * wrong one always goes through the sign-in limiter and scrypt), and only as an HMAC under a
 * key made at start and never stored: memory holds neither the password nor a hash that
 * could be tested offline against guesses without that key.
 */
export class VerifiedPasswords {
  readonly #key = randomBytes(32);
  readonly #byDigest = new Map<string, { readonly username: string; readonly until: number }>();
  readonly #limits: VerifiedPasswordLimits;
  readonly #clock: () => number;

  constructor(limits: VerifiedPasswordLimits = VERIFIED_PASSWORD_LIMITS, clock: () => number = Date.now) {
    this.#limits = limits;
    this.#clock = clock;
  }

  #digest(username: string, password: string): string {
    // Lengths first, so that no other split of the same characters gives the same input.
    return createHmac('sha256', this.#key)
      .update(`${username.length}:${username}:${password.length}:${password}`)
      .digest('base64url');
  }

  has(username: string, password: string): boolean {
    const digest = this.#digest(username, password);
    const entry = this.#byDigest.get(digest);
    if (!entry) return false;
    if (entry.until > this.#clock()) return true;
    this.#byDigest.delete(digest);
    return false;
  }

  remember(username: string, password: string): void {
    const digest = this.#digest(username, password);
    this.#byDigest.delete(digest);
    for (const oldest of this.#byDigest.keys()) {
      if (this.#byDigest.size < this.#limits.max) break;
      this.#byDigest.delete(oldest);
    }
    this.#byDigest.set(digest, { username, until: this.#clock() + this.#limits.ttlMs });
  }

  /** Forgets every remembered password of a user (their account changed). */
  forget(username: string): void {
    for (const [digest, entry] of this.#byDigest)
      if (entry.username === username) this.#byDigest.delete(digest);
  }

  /** The remembered digests (tests check that nothing else is kept). */
  keys(): IterableIterator<string> {
    return this.#byDigest.keys();
  }
}
