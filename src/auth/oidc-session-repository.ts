import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Principal } from './principal.ts';

/** An OIDC sign-in as stored, with the provider's tokens the gateway reads the person again with. */
export interface OidcSessionRecord {
  readonly sessionId: string;
  readonly subject: string;
  readonly principalId: string;
  readonly principal: Principal;
  readonly refreshToken: string | null;
  readonly accessToken: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly checkedAt: string;
  readonly endedAt: string | null;
}

/** What a re-read of the person changes in a sign-in. */
export interface OidcSessionRefresh {
  readonly principal: Principal;
  readonly refreshToken: string | null;
  readonly accessToken: string | null;
  readonly checkedAt: string;
}

/**
 * Where OIDC sign-ins are kept (docs/replicas.md §1): reads answer at once, writes settle
 * once the store holds them. Holds the provider's tokens: kept where secrets are kept.
 */
export interface OidcSessionRepository {
  get(sessionId: string): OidcSessionRecord | undefined;
  insert(session: OidcSessionRecord): Promise<void>;
  /** Records a re-read person, unless the sign-in has ended meanwhile. */
  refreshed(sessionId: string, refresh: OidcSessionRefresh): Promise<void>;
  /** Ends a sign-in (keeping an earlier end) and forgets the provider's tokens. */
  end(sessionId: string, at: string): Promise<void>;
}

interface SessionRow {
  session_id: string;
  subject: string;
  principal_id: string;
  principal: string;
  refresh_token: string | null;
  access_token: string | null;
  created_at: string;
  expires_at: string;
  checked_at: string;
  ended_at: string | null;
}

function toRecord(row: SessionRow): OidcSessionRecord {
  return {
    sessionId: row.session_id,
    subject: row.subject,
    principalId: row.principal_id,
    principal: JSON.parse(row.principal) as Principal,
    refreshToken: row.refresh_token,
    accessToken: row.access_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    checkedAt: row.checked_at,
    endedAt: row.ended_at,
  };
}

/** OIDC sign-ins in the embedded SQLite store (table `oidc_sessions`). */
export class SqliteOidcSessionRepository implements OidcSessionRepository {
  readonly #db: DatabaseSync;
  readonly #select: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM oidc_sessions WHERE session_id = ?');
  }

  get(sessionId: string): OidcSessionRecord | undefined {
    const row = this.#select.get(sessionId) as SessionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Every sign-in, ended ones too (for a move to another store). */
  all(): OidcSessionRecord[] {
    return (
      this.#db.prepare('SELECT * FROM oidc_sessions ORDER BY created_at').all() as unknown as SessionRow[]
    ).map(toRecord);
  }

  async insert(session: OidcSessionRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO oidc_sessions (session_id, subject, principal_id, principal, refresh_token, access_token, created_at, expires_at, checked_at, ended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.sessionId,
        session.subject,
        session.principalId,
        JSON.stringify(session.principal),
        session.refreshToken,
        session.accessToken,
        session.createdAt,
        session.expiresAt,
        session.checkedAt,
        session.endedAt,
      );
  }

  async refreshed(sessionId: string, refresh: OidcSessionRefresh): Promise<void> {
    this.#db
      .prepare(
        'UPDATE oidc_sessions SET principal = ?, refresh_token = ?, access_token = ?, checked_at = ? WHERE session_id = ? AND ended_at IS NULL',
      )
      .run(
        JSON.stringify(refresh.principal),
        refresh.refreshToken,
        refresh.accessToken,
        refresh.checkedAt,
        sessionId,
      );
  }

  async end(sessionId: string, at: string): Promise<void> {
    this.#db
      .prepare(
        'UPDATE oidc_sessions SET ended_at = COALESCE(ended_at, ?), refresh_token = NULL, access_token = NULL WHERE session_id = ?',
      )
      .run(at, sessionId);
  }
}
