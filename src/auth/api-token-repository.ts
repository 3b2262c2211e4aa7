import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Principal } from './principal.ts';

/** What a token is for; all authenticate the same way, the kind is for people reading lists. */
export type ApiTokenKind = 'api' | 'session' | 'kubeconfig';

/** A token as stored: its secret only as a SHA-256 hash. */
export interface ApiTokenRecord {
  readonly tokenId: string;
  readonly secretHash: string;
  readonly principalId: string;
  readonly principal: Principal;
  readonly description: string;
  readonly kind: ApiTokenKind;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  /** The OIDC sign-in the token was minted under, if any. */
  readonly sessionId: string | null;
}

/**
 * Where tokens are kept (docs/replicas.md §1). Reads answer at once (verification runs on
 * every request); writes settle once the store holds them.
 */
export interface ApiTokenRepository {
  get(tokenId: string): ApiTokenRecord | undefined;
  /** A person's tokens (everyone's when principalId is undefined), newest first. */
  list(principalId?: string): ApiTokenRecord[];
  insert(token: ApiTokenRecord): Promise<void>;
  /** Records a use; nothing waits for it and a failure loses only the time. */
  touch(tokenId: string, at: string): void;
  /** Marks one token revoked (keeping an earlier revocation time); false when there is no such token. */
  revoke(tokenId: string, at: string): Promise<boolean>;
  /** Revokes every live token of a person; answers how many. */
  revokeAll(principalId: string, at: string): Promise<number>;
  /**
   * Why the repository cannot vouch for what it answers now (its view of a shared store
   * has lost its watch), or undefined when it can: verification then fails closed.
   */
  unavailable(): string | undefined;
  /** Calls `listener` when a token is revoked by someone else (another replica). */
  onRevokedElsewhere(listener: () => void): void;
}

interface TokenRow {
  token_id: string;
  secret_hash: string;
  principal_id: string;
  principal: string;
  description: string;
  kind: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  session_id: string | null;
}

function toRecord(row: TokenRow): ApiTokenRecord {
  return {
    tokenId: row.token_id,
    secretHash: row.secret_hash,
    principalId: row.principal_id,
    principal: JSON.parse(row.principal) as Principal,
    description: row.description,
    kind: row.kind as ApiTokenKind,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    sessionId: row.session_id,
  };
}

/** Tokens in the embedded SQLite store (table `api_tokens`); one process, so nothing happens elsewhere. */
export class SqliteApiTokenRepository implements ApiTokenRepository {
  readonly #db: DatabaseSync;
  // Prepared once: verify runs on every passthrough request, and compiling its SQL each
  // time cost more than running it.
  readonly #selectById: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#selectById = db.prepare('SELECT * FROM api_tokens WHERE token_id = ?');
  }

  get(tokenId: string): ApiTokenRecord | undefined {
    const row = this.#selectById.get(tokenId) as TokenRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(principalId?: string): ApiTokenRecord[] {
    const rows = (principalId === undefined
      ? this.#db.prepare('SELECT * FROM api_tokens ORDER BY created_at DESC').all()
      : this.#db
          .prepare('SELECT * FROM api_tokens WHERE principal_id = ? ORDER BY created_at DESC')
          .all(principalId)) as unknown as TokenRow[];
    return rows.map(toRecord);
  }

  async insert(token: ApiTokenRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO api_tokens (token_id, secret_hash, principal_id, principal, description, kind, created_at, expires_at, last_used_at, revoked_at, session_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        token.tokenId,
        token.secretHash,
        token.principalId,
        JSON.stringify(token.principal),
        token.description,
        token.kind,
        token.createdAt,
        token.expiresAt,
        token.lastUsedAt,
        token.revokedAt,
        token.sessionId,
      );
  }

  touch(tokenId: string, at: string): void {
    this.#db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?').run(at, tokenId);
  }

  async revoke(tokenId: string, at: string): Promise<boolean> {
    const result = this.#db
      .prepare('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE token_id = ?')
      .run(at, tokenId);
    return Number(result.changes) > 0;
  }

  async revokeAll(principalId: string, at: string): Promise<number> {
    const result = this.#db
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL')
      .run(at, principalId);
    return Number(result.changes);
  }

  unavailable(): string | undefined {
    return undefined;
  }

  onRevokedElsewhere(): void {}
}
