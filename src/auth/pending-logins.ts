/** What the gateway keeps of an OIDC sign-in between the redirect to the provider and its callback. */
export interface PendingLogin {
  readonly codeVerifier: string;
  readonly nonce: string;
}

/**
 * Where sign-ins wait for their callback (docs/replicas.md §1): in memory for one process,
 * in the management cluster for replicas, so that a callback may reach any replica. `take`
 * answers a state once, whichever replica asks.
 */
export interface PendingLoginStore {
  add(state: string, login: PendingLogin): void | Promise<void>;
  take(state: string): PendingLogin | undefined | Promise<PendingLogin | undefined>;
}

/** Sign-ins waiting for their callback: at most `max`, each for `ttlMs`. */
export interface PendingLoginLimits {
  readonly max: number;
  readonly ttlMs: number;
}

/** Ten minutes to sign in at the provider; 10,000 waiting sign-ins are about 2 MiB. */
export const PENDING_LOGIN_LIMITS: PendingLoginLimits = { max: 10_000, ttlMs: 10 * 60_000 };

/**
 * Pending OIDC sign-ins by state, oldest first. When full, the oldest is dropped rather than
 * a new one refused: anyone may start sign-ins, and refusing new ones would let a flood of
 * unfinished ones lock everyone out until they expire, while dropping the oldest only costs
 * a person who is still at the provider after `max` newer sign-ins began.
 */
export class PendingLogins implements PendingLoginStore {
  readonly #byState = new Map<string, PendingLogin & { readonly createdAt: number }>();
  readonly #limits: PendingLoginLimits;
  readonly #clock: () => number;

  constructor(limits: PendingLoginLimits = PENDING_LOGIN_LIMITS, clock: () => number = Date.now) {
    this.#limits = limits;
    this.#clock = clock;
  }

  get size(): number {
    return this.#byState.size;
  }

  add(state: string, login: PendingLogin): void {
    const now = this.#clock();
    this.#expire(now);
    // Insertion order is age order: the first key is the oldest.
    for (const oldest of this.#byState.keys()) {
      if (this.#byState.size < this.#limits.max) break;
      this.#byState.delete(oldest);
    }
    this.#byState.set(state, { ...login, createdAt: now });
  }

  /** The pending sign-in of a state, once; undefined when unknown, used or expired. */
  take(state: string): PendingLogin | undefined {
    const login = this.#byState.get(state);
    this.#byState.delete(state);
    if (!login || this.#clock() - login.createdAt > this.#limits.ttlMs) return undefined;
    return { codeVerifier: login.codeVerifier, nonce: login.nonce };
  }

  #expire(now: number): void {
    for (const [state, login] of this.#byState) {
      if (now - login.createdAt <= this.#limits.ttlMs) return;
      this.#byState.delete(state);
    }
  }
}
