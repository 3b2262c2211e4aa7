import type { Authenticator } from './authenticator.ts';

/** How often every open connection's credential is checked again (expiry, a deleted user). */
export const RECHECK_INTERVAL_MS = 2_000;

interface Tracked {
  readonly authorization: string;
  readonly close: (reason: string) => void;
}

/**
 * The long-lived connections (graphql-ws sockets, watches, log follows, exec, attach,
 * port-forward) of every credential, so that revoking or expiring the credential ends them
 * too. Every RECHECK_INTERVAL_MS each distinct credential among them is authenticated again;
 * `recheckNow` does it at once (called when tokens are revoked).
 */
export class OpenConnections {
  readonly #authenticator: Authenticator;
  readonly #byCredential = new Map<string, Set<Tracked>>();
  readonly #timer: NodeJS.Timeout;
  #checking = false;
  #again = false;

  constructor(authenticator: Authenticator, intervalMs = RECHECK_INTERVAL_MS) {
    this.#authenticator = authenticator;
    this.#timer = setInterval(() => void this.recheckNow(), intervalMs);
    this.#timer.unref();
  }

  /** Follows a connection opened with `authorization`; returns the function that forgets it. */
  track(authorization: string, close: (reason: string) => void): () => void {
    const entry: Tracked = { authorization, close };
    let set = this.#byCredential.get(authorization);
    if (!set) {
      set = new Set();
      this.#byCredential.set(authorization, set);
    }
    set.add(entry);
    return () => {
      const current = this.#byCredential.get(authorization);
      if (!current?.delete(entry) || current.size > 0) return;
      this.#byCredential.delete(authorization);
    };
  }

  /** Connections followed now (for metrics and tests). */
  get size(): number {
    let total = 0;
    for (const set of this.#byCredential.values()) total += set.size;
    return total;
  }

  /** Authenticates every credential with open connections again and closes those refused. */
  async recheckNow(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#again = false;
        let checked = 0;
        for (const [authorization, set] of [...this.#byCredential]) {
          // Thousands of credentials are checked in slices, letting requests in between.
          if (++checked % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
          const auth = await this.#authenticator.authenticate(authorization);
          if (auth.ok) continue;
          this.#byCredential.delete(authorization);
          for (const entry of set) entry.close(`Unauthorized: ${auth.reason}`);
        }
      } while (this.#again);
    } finally {
      this.#checking = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
