import { isIPv6 } from 'node:net';

/** How many failures are let through, how long refusals last, and how much is remembered. */
export interface SignInLimits {
  /** Failed attempts for one user name before it is refused for a while. */
  readonly userFailures: number;
  /** Failed attempts from one address (an IPv6 /64), over any user names, before it is refused. */
  readonly addressFailures: number;
  /** The first refusal's length; each further failure doubles it. */
  readonly firstBlockMs: number;
  readonly maxBlockMs: number;
  /** Failures are forgotten this long after the refusal they earned has ended. */
  readonly forgetAfterMs: number;
  /** User names, and separately addresses, remembered at most. */
  readonly maxTracked: number;
}

/**
 * The gateway's limits. An address may fail more often than a user name: people behind one
 * NAT share it. 10,000 entries of each kind are a few MiB at most.
 */
export const SIGN_IN_LIMITS: SignInLimits = {
  userFailures: 5,
  addressFailures: 20,
  firstBlockMs: 1000,
  maxBlockMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
  maxTracked: 10_000,
};

// Longer names cannot be local users; cutting them keeps every entry small.
const MAX_KEY_CHARS = 128;

/** Whether an attempt may go ahead, or how long to wait and which limit refused it. */
export type SignInDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAfterSeconds: number; readonly limited: 'user' | 'address' };

interface Failures {
  count: number;
  lastAt: number;
}

/**
 * The key an address is limited under: an IPv6 address by its /64 (one host usually holds a
 * whole /64), an IPv4-mapped address as plain IPv4.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address.slice(0, MAX_KEY_CHARS);
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`;
}

/** One kind of key (user names, or addresses), remembered in order of their last failure. */
class FailureTable {
  readonly #entries = new Map<string, Failures>();
  readonly #threshold: number;
  readonly #limits: SignInLimits;

  constructor(threshold: number, limits: SignInLimits) {
    this.#threshold = threshold;
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** How long the key must still wait, in ms (0: it may try). */
  waitMs(key: string, now: number): number {
    const entry = this.#live(key, now);
    if (!entry || entry.count < this.#threshold) return 0;
    return Math.max(0, entry.lastAt + this.#blockMs(entry.count) - now);
  }

  fail(key: string, now: number): void {
    const entry = this.#live(key, now) ?? { count: 0, lastAt: now };
    entry.count += 1;
    entry.lastAt = now;
    // Re-inserted, so that the map stays in order of last failure: the front is forgotten first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#prune(now);
  }

  /** Takes back one failure (an attempt counted in advance that succeeded). */
  forgive(key: string, all: boolean): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.count -= all ? entry.count : 1;
    if (entry.count <= 0) this.#entries.delete(key);
  }

  #blockMs(count: number): number {
    const doublings = Math.min(count - this.#threshold, 30);
    return Math.min(this.#limits.firstBlockMs * 2 ** doublings, this.#limits.maxBlockMs);
  }

  #forgotten(entry: Failures, now: number): boolean {
    const blocked = entry.count >= this.#threshold ? this.#blockMs(entry.count) : 0;
    return now - entry.lastAt > blocked + this.#limits.forgetAfterMs;
  }

  #live(key: string, now: number): Failures | undefined {
    const entry = this.#entries.get(key);
    if (entry && this.#forgotten(entry, now)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxTracked && !this.#forgotten(entry, now)) return;
      this.#entries.delete(key);
    }
  }
}

/**
 * Backoff for password sign-ins (the sign-in route and HTTP Basic alike), by user name and by
 * source address. An attempt is counted as a failure when it begins and forgiven when it
 * succeeds, so a burst of concurrent guesses is cut off at the limit instead of each running
 * scrypt before any has failed. Past the limit a key is refused for a time that doubles with
 * each further failure, up to a cap; a refusal costs no password hash. Memory is bounded: at
 * capacity the key that failed least recently is forgotten first.
 */
export class SignInLimiter {
  readonly #users: FailureTable;
  readonly #addresses: FailureTable;
  readonly #clock: () => number;

  constructor(limits: SignInLimits = SIGN_IN_LIMITS, clock: () => number = Date.now) {
    this.#users = new FailureTable(limits.userFailures, limits);
    this.#addresses = new FailureTable(limits.addressFailures, limits);
    this.#clock = clock;
  }

  /** Refuses the attempt, or lets it go ahead and counts it as failed until `succeeded`. */
  begin(username: string, address: string | undefined): SignInDecision {
    const now = this.#clock();
    const user = username.slice(0, MAX_KEY_CHARS);
    const from = addressKey(address);
    const userWait = this.#users.waitMs(user, now);
    const addressWait = this.#addresses.waitMs(from, now);
    if (userWait > 0 || addressWait > 0) {
      return {
        ok: false,
        retryAfterSeconds: Math.ceil(Math.max(userWait, addressWait) / 1000),
        limited: userWait >= addressWait ? 'user' : 'address',
      };
    }
    this.#users.fail(user, now);
    this.#addresses.fail(from, now);
    return { ok: true };
  }

  /**
   * A begun attempt succeeded: the user name's failures are forgiven; the address keeps its
   * other failures, so one known password does not reset guessing at other names.
   */
  succeeded(username: string, address: string | undefined): void {
    this.#users.forgive(username.slice(0, MAX_KEY_CHARS), true);
    this.#addresses.forgive(addressKey(address), false);
  }

  /** How many user names and addresses are remembered (for tests and metrics). */
  tracked(): { users: number; addresses: number } {
    return { users: this.#users.size, addresses: this.#addresses.size };
  }
}
