import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { GatewayError } from '../errors/gateway-error.ts';
import { SESSION_TTL_SECONDS, type SignInSession } from './api-tokens.ts';
import type { OidcProvider, ProviderGrant } from './oidc.ts';
import type { Principal } from './principal.ts';

/** A sign-in's person as now known, or why its tokens no longer work. */
export type SessionCheck =
  | { readonly ok: true; readonly principal: Principal; readonly session: SignInSession }
  | { readonly ok: false; readonly reason: string };

interface SessionRow {
  session_id: string;
  subject: string;
  principal_id: string;
  principal: string;
  refresh_token: string | null;
  access_token: string | null;
  expires_at: string;
  checked_at: string;
  ended_at: string | null;
}

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
  readonly #db: DatabaseSync;
  readonly #oidc: OidcProvider;
  readonly #clock: () => Date;
  readonly #select: StatementSync;
  // One refresh at a time per sign-in: concurrent requests wait for the same answer.
  readonly #refreshing = new Map<string, Promise<SessionCheck>>();

  constructor(db: DatabaseSync, oidc: OidcProvider, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#oidc = oidc;
    this.#clock = clock;
    this.#select = db.prepare('SELECT * FROM oidc_sessions WHERE session_id = ?');
  }

  /** Records a finished sign-in; it lasts SESSION_TTL_SECONDS at most. */
  start(principal: Principal, grant: ProviderGrant): SignInSession {
    const sessionId = randomBytes(16).toString('hex');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString();
    this.#db
      .prepare(
        `INSERT INTO oidc_sessions (session_id, subject, principal_id, principal, refresh_token, access_token, created_at, expires_at, checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sessionId,
        grant.subject,
        principal.principalId,
        JSON.stringify(principal),
        grant.refreshToken ?? null,
        grant.accessToken ?? null,
        now.toISOString(),
        expiresAt,
        now.toISOString(),
      );
    return { sessionId, expiresAt };
  }

  /** The sign-in's person, read again from the provider when last read over the interval ago. */
  current(sessionId: string): Promise<SessionCheck> | SessionCheck {
    const row = this.#select.get(sessionId) as SessionRow | undefined;
    const now = this.#clock();
    if (!row) return { ok: false, reason: 'unknown sign-in' };
    if (row.ended_at) return { ok: false, reason: 'the sign-in has ended; sign in again' };
    if (row.expires_at <= now.toISOString())
      return { ok: false, reason: 'the sign-in has expired; sign in again' };
    const ageMs = now.getTime() - Date.parse(row.checked_at);
    if (ageMs < this.#oidc.refreshIntervalSeconds * 1000) return checked(row);
    let refresh = this.#refreshing.get(sessionId);
    if (!refresh) {
      refresh = this.#refresh(row).finally(() => this.#refreshing.delete(sessionId));
      this.#refreshing.set(sessionId, refresh);
    }
    return refresh;
  }

  /** Ends a sign-in: no token of it works any more. */
  end(sessionId: string): void {
    this.#db
      .prepare(
        'UPDATE oidc_sessions SET ended_at = COALESCE(ended_at, ?), refresh_token = NULL, access_token = NULL WHERE session_id = ?',
      )
      .run(this.#clock().toISOString(), sessionId);
  }

  async #refresh(row: SessionRow): Promise<SessionCheck> {
    try {
      const { principal, grant } = await this.#oidc.reread({
        subject: row.subject,
        ...(row.refresh_token ? { refreshToken: row.refresh_token } : {}),
        ...(row.access_token ? { accessToken: row.access_token } : {}),
      });
      if (principal.principalId !== row.principal_id)
        throw new GatewayError('UNAUTHENTICATED', 'the provider answered for another person');
      const checkedAt = this.#clock().toISOString();
      this.#db
        .prepare(
          'UPDATE oidc_sessions SET principal = ?, refresh_token = ?, access_token = ?, checked_at = ? WHERE session_id = ? AND ended_at IS NULL',
        )
        .run(
          JSON.stringify(principal),
          grant.refreshToken ?? null,
          grant.accessToken ?? null,
          checkedAt,
          row.session_id,
        );
      return checked({ ...row, principal: JSON.stringify(principal), checked_at: checkedAt });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      // A provider out of reach says nothing about the person: refuse now, ask again next
      // time. Any answer that is not the person ends the sign-in.
      if (unreachable(error)) return { ok: false, reason: `the OpenID provider is out of reach: ${message}` };
      this.end(row.session_id);
      return {
        ok: false,
        reason: `the OpenID provider no longer vouches for this sign-in (${message}); sign in again`,
      };
    }
  }
}

function checked(row: SessionRow): SessionCheck {
  return {
    ok: true,
    principal: JSON.parse(row.principal) as Principal,
    session: { sessionId: row.session_id, expiresAt: row.expires_at },
  };
}

/** A failure to reach the provider (fetch's network errors and timeouts), not an answer of it. */
function unreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const name = (error as Error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
