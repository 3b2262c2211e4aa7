import { GatewayError } from '../errors/gateway-error.ts';
import { ApiTokens, type SignInSession } from './api-tokens.ts';
import { type LocalUsers, localPrincipal } from './local-users.ts';
import type { OidcProvider } from './oidc.ts';
import type { OidcSessions } from './oidc-sessions.ts';
import type { Principal } from './principal.ts';

/** Who is calling, or why they are not let in. */
export type Authentication =
  | {
      readonly ok: true;
      readonly principal: Principal;
      readonly tokenId?: string;
      /** The OIDC sign-in the token belongs to. */
      readonly session?: SignInSession;
    }
  | { readonly ok: false; readonly reason: string };

const MAX_AUTHORIZATION_CHARS = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Turns an Authorization header into a principal: the gateway's own API tokens, or an
 * ID token of the configured OpenID provider. Fails closed on anything else.
 */
export class Authenticator {
  readonly #tokens: ApiTokens;
  readonly #users: LocalUsers;
  readonly #oidc: OidcProvider | undefined;
  readonly #sessions: OidcSessions | undefined;

  constructor(tokens: ApiTokens, users: LocalUsers, oidc?: OidcProvider, sessions?: OidcSessions) {
    this.#tokens = tokens;
    this.#users = users;
    this.#oidc = oidc;
    this.#sessions = sessions;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (!authorization) return { ok: false, reason: 'no credentials: send a bearer token' };
    if (authorization.length > MAX_AUTHORIZATION_CHARS)
      return { ok: false, reason: 'authorization header too long' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { ok: false, reason: 'only bearer tokens are accepted here' };
    const token = match[1] as string;
    if (ApiTokens.looksLikeToken(token)) {
      const check = this.#tokens.verify(token);
      if (!check.ok) return { ok: false, reason: check.reason };
      if (check.sessionId !== undefined) return this.#inSession(check.sessionId, check.tokenId);
      return this.#current(check.principal, check.tokenId);
    }
    if (this.#oidc && JWT_SHAPE.test(token)) {
      try {
        return { ok: true, principal: await this.#oidc.verifyBearer(token) };
      } catch (error) {
        return { ok: false, reason: error instanceof GatewayError ? error.message : 'OIDC token rejected' };
      }
    }
    return { ok: false, reason: 'unknown token' };
  }

  /** A token of an OIDC sign-in acts as the sign-in's person, as last read from the provider. */
  async #inSession(sessionId: string, tokenId: string): Promise<Authentication> {
    if (!this.#sessions) return { ok: false, reason: 'OIDC sign-in is not configured' };
    const check = await this.#sessions.current(sessionId);
    if (!check.ok) return { ok: false, reason: check.reason };
    return { ok: true, principal: check.principal, tokenId, session: check.session };
  }

  /**
   * Local people's groups and admin flag are read on every request (from a record at most
   * USER_RECORD_CACHE_MS old), so changes apply to old tokens too.
   */
  #current(principal: Principal, tokenId: string): Authentication {
    // Made before sign-ins were kept: its groups would never be read again.
    if (principal.provider === 'oidc')
      return { ok: false, reason: 'a token of an earlier OIDC sign-in; sign in again' };
    if (principal.provider !== 'local') return { ok: true, principal, tokenId };
    const user = this.#users.get(principal.name);
    if (!user) return { ok: false, reason: 'the user no longer exists' };
    return { ok: true, principal: localPrincipal(user), tokenId };
  }
}
