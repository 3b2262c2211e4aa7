import type { Authenticator } from './authenticator.ts';
import type { Principal } from './principal.ts';

/** How often every open connection's credential is checked again (expiry, a deleted user). */
export const RECHECK_INTERVAL_MS = 2_000;

interface Tracked {
  readonly authorization: string;
  readonly close: (reason: string) => void;
  /** Who the connection was opened as: it ends when their groups or admin right change. */
  readonly rights: string | undefined;
}

/** What of a person a connection's answers depend on: their groups and admin right. */
function rightsOf(principal: Principal): string {
  return JSON.stringify([principal.isAdmin, [...principal.groups].sort()]);
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
    this.#timer = setInterval(() => void this.recheckNow().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  /**
   * Follows a connection opened with `authorization` (as `principal`, when given: a change of
   * their groups or admin right then ends it too, since what it serves was decided by them);
   * returns the function that forgets it.
   */
  track(authorization: string, close: (reason: string) => void, principal?: Principal): () => void {
    const entry: Tracked = { authorization, close, rights: principal && rightsOf(principal) };
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
        for (const authorization of [...this.#byCredential.keys()]) {
          // Thousands of credentials are checked in slices, letting requests in between.
          if (++checked % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
          let auth: Awaited<ReturnType<Authenticator['authenticate']>>;
          try {
            auth = await this.#authenticator.authenticate(authorization);
          } catch {
            continue; // the store could not answer now: asked again at the next pass
          }
          // The set as it is now: connections may have come or gone during the await.
          const set = this.#byCredential.get(authorization);
          if (!set) continue;
          const rights = auth.ok ? rightsOf(auth.principal) : undefined;
          for (const entry of [...set]) {
            if (auth.ok && (entry.rights === undefined || entry.rights === rights)) continue;
            set.delete(entry);
            entry.close(
              auth.ok
                ? 'Unauthorized: your groups or rights changed; connect again'
                : `Unauthorized: ${auth.reason}`,
            );
          }
          if (set.size === 0) this.#byCredential.delete(authorization);
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
