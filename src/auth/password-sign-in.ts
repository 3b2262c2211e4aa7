import type { AuditLog } from '../audit/audit-log.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { LocalUser, LocalUsers } from './local-users.ts';
import { SignInLimiter } from './sign-in-limiter.ts';
import { VerifiedPasswords } from './verified-passwords.ts';

const MAX_BASIC_CHARS = 2048;
const WRONG = 'wrong user name or password';

/** How a password arrived: the sign-in route, or HTTP Basic on an API call. */
export type PasswordRoute = 'login' | 'basic';

/**
 * Local users' password checks, for the sign-in route and HTTP Basic alike: limited per user
 * name and per source address (a refusal costs no scrypt and is audited), every failure
 * audited. HTTP Basic stays accepted on the whole `/v1` API, as scripts use it, and a right
 * Basic password is remembered for a minute under a keyed hash (VerifiedPasswords): refusing
 * Basic outside the sign-in route would break those scripts, while the cache keeps their cost
 * at one scrypt a minute and wrong passwords still meet the limiter.
 */
export class PasswordSignIn {
  readonly #users: LocalUsers;
  readonly #audit: AuditLog;
  readonly #limiter: SignInLimiter;
  readonly #verified: VerifiedPasswords;

  constructor(
    users: LocalUsers,
    audit: AuditLog,
    limiter: SignInLimiter = new SignInLimiter(),
    verified: VerifiedPasswords = new VerifiedPasswords(),
  ) {
    this.#users = users;
    this.#audit = audit;
    this.#limiter = limiter;
    this.#verified = verified;
  }

  /** The user whose password this is; otherwise UNAUTHENTICATED, or TOO_MANY_REQUESTS with a wait. */
  async verify(
    username: string,
    password: string,
    remote: string | undefined,
    route: PasswordRoute,
  ): Promise<LocalUser> {
    if (route === 'basic' && this.#verified.has(username, password)) {
      const user = this.#users.get(username);
      if (user) return user;
      this.#verified.forget(username);
    }
    const decision = this.#limiter.begin(username, remote);
    if (!decision.ok) {
      const reason = `too many failed sign-ins for this ${decision.limited === 'user' ? 'user name' : 'address'}; try again in ${decision.retryAfterSeconds} s`;
      this.#failed(username, reason, remote, route);
      throw new GatewayError('TOO_MANY_REQUESTS', reason, { retryAfterSeconds: decision.retryAfterSeconds });
    }
    const user = await this.#users.verify(username, password);
    if (!user) {
      this.#failed(username, WRONG, remote, route);
      throw new GatewayError('UNAUTHENTICATED', WRONG);
    }
    this.#limiter.succeeded(username, remote);
    if (route === 'basic') this.#verified.remember(username, password);
    return user;
  }

  /** The user of an `Authorization: Basic` header, checked as `verify` does. */
  basic(header: string, remote: string | undefined): Promise<LocalUser> {
    if (header.length > MAX_BASIC_CHARS)
      throw new GatewayError('UNAUTHENTICATED', 'authorization header too long');
    const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new GatewayError('UNAUTHENTICATED', WRONG);
    return this.verify(decoded.slice(0, colon), decoded.slice(colon + 1), remote, 'basic');
  }

  #failed(username: string, reason: string, remote: string | undefined, route: PasswordRoute): void {
    this.#audit.signIn({
      provider: 'local',
      principal: username.slice(0, 64),
      outcome: 'failure',
      reason: route === 'basic' ? `${reason} (HTTP Basic)` : reason,
      remote,
    });
  }
}
