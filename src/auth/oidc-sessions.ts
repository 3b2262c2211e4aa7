import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { SESSION_TTL_SECONDS, type SignInSession } from './api-tokens.ts';
import type { OidcProvider, ProviderGrant } from './oidc.ts';
import type { OidcSessionRecord, OidcSessionRepository } from './oidc-session-repository.ts';
import type { Principal } from './principal.ts';

/** A sign-in's person as now known, or why its tokens no longer work. */
export type SessionCheck =
  | { readonly ok: true; readonly principal: Principal; readonly session: SignInSession }
  | { readonly ok: false; readonly reason: string };

/**
 * OIDC sign-ins. Every gateway token minted by an OIDC person (the session token of the
 * sign-in, and the API and kubeconfig tokens they make with it) names its sign-in and
 * expires no later than it. The sign-in, not the token, holds the person: whenever a token
 * is used and the person was last read from the provider more than the refresh interval ago,
 * they are read again (refresh token, or userinfo), so groups and admin rights are at most
 * that old. When the provider refuses, the sign-in ends and every token of it stops working;
 * when it cannot be reached, requests are refused until it answers again. Logout ends it too.
 *
 * The provider's refresh and access tokens are kept in the store beside the sign-in, since
 * the gateway needs them after a restart; they are as secret as the store itself.
 */
export class OidcSessions {
  readonly #repo: OidcSessionRepository;
  readonly #oidc: OidcProvider;
  readonly #clock: () => Date;
  // One refresh at a time per sign-in: concurrent requests wait for the same answer.
  readonly #refreshing = new Map<string, Promise<SessionCheck>>();

  constructor(repo: OidcSessionRepository, oidc: OidcProvider, clock: () => Date = () => new Date()) {
    this.#repo = repo;
    this.#oidc = oidc;
    this.#clock = clock;
  }

  /** Records a finished sign-in; it lasts SESSION_TTL_SECONDS at most. */
  async start(principal: Principal, grant: ProviderGrant): Promise<SignInSession> {
    const sessionId = randomBytes(16).toString('hex');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString();
    await this.#repo.insert({
      sessionId,
      subject: grant.subject,
      principalId: principal.principalId,
      principal,
      refreshToken: grant.refreshToken ?? null,
      accessToken: grant.accessToken ?? null,
      createdAt: now.toISOString(),
      expiresAt,
      checkedAt: now.toISOString(),
      endedAt: null,
    });
    return { sessionId, expiresAt };
  }

  /** The sign-in's person, read again from the provider when last read over the interval ago. */
  current(sessionId: string): Promise<SessionCheck> | SessionCheck {
    const row = this.#repo.get(sessionId);
    const now = this.#clock();
    if (!row) return { ok: false, reason: 'unknown sign-in' };
    if (row.endedAt) return { ok: false, reason: 'the sign-in has ended; sign in again' };
    if (row.expiresAt <= now.toISOString())
      return { ok: false, reason: 'the sign-in has expired; sign in again' };
    const ageMs = now.getTime() - Date.parse(row.checkedAt);
    if (ageMs < this.#oidc.refreshIntervalSeconds * 1000) return checked(row);
    let refresh = this.#refreshing.get(sessionId);
    if (!refresh) {
      refresh = this.#refresh(row).finally(() => this.#refreshing.delete(sessionId));
      this.#refreshing.set(sessionId, refresh);
    }
    return refresh;
  }

  /** Ends a sign-in: no token of it works any more. */
  end(sessionId: string): Promise<void> {
    return this.#repo.end(sessionId, this.#clock().toISOString());
  }

  async #refresh(row: OidcSessionRecord): Promise<SessionCheck> {
    let reread: Awaited<ReturnType<OidcProvider['reread']>>;
    try {
      reread = await this.#oidc.reread({
        subject: row.subject,
        ...(row.refreshToken ? { refreshToken: row.refreshToken } : {}),
        ...(row.accessToken ? { accessToken: row.accessToken } : {}),
      });
      if (reread.principal.principalId !== row.principalId)
        throw new GatewayError('UNAUTHENTICATED', 'the provider answered for another person');
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      // A provider out of reach says nothing about the person: refuse now, ask again next
      // time. Any answer that is not the person ends the sign-in.
      if (unreachable(error)) return { ok: false, reason: `the OpenID provider is out of reach: ${message}` };
      await this.end(row.sessionId);
      return {
        ok: false,
        reason: `the OpenID provider no longer vouches for this sign-in (${message}); sign in again`,
      };
    }
    // Outside the provider's try: a store that fails to record this says nothing about the person.
    const { principal, grant } = reread;
    const checkedAt = this.#clock().toISOString();
    await this.#repo.refreshed(row.sessionId, {
      principal,
      refreshToken: grant.refreshToken ?? null,
      accessToken: grant.accessToken ?? null,
      checkedAt,
    });
    return checked({ ...row, principal, checkedAt });
  }
}

function checked(row: OidcSessionRecord): SessionCheck {
  return {
    ok: true,
    principal: row.principal,
    session: { sessionId: row.sessionId, expiresAt: row.expiresAt },
  };
}

/** A failure to reach the provider (fetch's network errors and timeouts), not an answer of it. */
function unreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const name = (error as Error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
