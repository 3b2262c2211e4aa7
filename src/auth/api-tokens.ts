import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Principal } from './principal.ts';

/** What a token is for; all authenticate the same way, the kind is for people reading lists. */
export type ApiTokenKind = 'api' | 'session' | 'kubeconfig';

/** A token as listed: never its secret. */
export interface ApiTokenInfo {
  readonly tokenId: string;
  readonly principalId: string;
  readonly principalName: string;
  readonly description: string;
  readonly kind: ApiTokenKind;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** The OIDC sign-in a token was minted under: the token lives no longer and ends with it. */
export interface SignInSession {
  readonly sessionId: string;
  readonly expiresAt: string;
}

export type TokenCheck =
  | {
      readonly ok: true;
      readonly principal: Principal;
      readonly tokenId: string;
      /** The OIDC sign-in of the token, whose current principal replaces the stored one. */
      readonly sessionId?: string;
    }
  | {
      readonly ok: false;
      readonly reason: 'malformed token' | 'unknown token' | 'token expired' | 'token revoked';
    };

/** Longest lifetime a token may be given: one year. */
export const MAX_TOKEN_TTL_SECONDS = 365 * 24 * 3600;
/** Lifetime of a sign-in session token. */
export const SESSION_TTL_SECONDS = 16 * 3600;
/** Lifetime of a kubeconfig's token unless asked otherwise (Rancher's default too). */
export const KUBECONFIG_TTL_SECONDS = 30 * 24 * 3600;
/** Lifetime of an API token unless asked otherwise. */
export const API_TOKEN_TTL_SECONDS = 90 * 24 * 3600;
const TOKEN_PATTERN = /^fgt\.([a-z0-9]{16})\.([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

/** The earlier of two ISO timestamps (the first when the second is absent). */
const earliest = (first: string, second: string | undefined) =>
  second !== undefined && second < first ? second : first;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The parts of `fgt.<tokenId>.<secret>`, or undefined when the text has another shape. */
export function parseApiToken(text: string): { tokenId: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(text);
  if (!match) return undefined;
  const [, tokenId, secret] = match as unknown as [string, string, string];
  return { tokenId, secret };
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

function info(row: TokenRow): ApiTokenInfo {
  const principal = JSON.parse(row.principal) as Principal;
  return {
    tokenId: row.token_id,
    principalId: row.principal_id,
    principalName: principal.name,
    description: row.description,
    kind: row.kind as ApiTokenKind,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * Bearer tokens for people (`fgt.<id>.<secret>`): shown once, stored as SHA-256 of the
 * secret (256 random bits need no slow hash), with a TTL, revocable one by one or all of a
 * person's at once.
 */
export class ApiTokens extends EventEmitter<{ revoked: [] }> {
  readonly #db: DatabaseSync;
  readonly #clock: () => Date;
  readonly #lastUsedWritten = new Map<string, number>();
  // Prepared once: verify runs on every passthrough request, and compiling its SQL each
  // time cost more than running it.
  readonly #selectById: StatementSync;

  constructor(db: DatabaseSync, clock: () => Date = () => new Date()) {
    super();
    this.#db = db;
    this.#clock = clock;
    this.#selectById = db.prepare('SELECT * FROM api_tokens WHERE token_id = ?');
  }

  /**
   * Issues a token; the returned `token` is the only time the secret is seen. An OIDC
   * person's token needs the sign-in it is made under, and expires no later than it.
   */
  create(
    principal: Principal,
    options: { description: string; ttlSeconds: number; kind: ApiTokenKind; session?: SignInSession },
  ): { token: string; info: ApiTokenInfo } {
    if (
      !Number.isInteger(options.ttlSeconds) ||
      options.ttlSeconds < 1 ||
      options.ttlSeconds > MAX_TOKEN_TTL_SECONDS
    ) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        `ttlSeconds must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}`,
      );
    }
    if (options.description.length > 256)
      throw new GatewayError('BAD_USER_INPUT', 'description is limited to 256 characters');
    // Without a sign-in (an ID token presented as a bearer token) nothing would re-read the
    // person's groups, so nothing may outlive the ID token: refuse.
    if (principal.provider === 'oidc' && !options.session)
      throw new GatewayError(
        'FORBIDDEN',
        'an OIDC ID token cannot make gateway tokens: sign in through /v1/auth/oidc/login first',
      );
    const tokenId = randomBytes(10).toString('hex').slice(0, 16);
    const secret = randomBytes(32).toString('base64url');
    const now = this.#clock();
    const row: TokenRow = {
      token_id: tokenId,
      secret_hash: sha256(secret),
      principal_id: principal.principalId,
      principal: JSON.stringify(principal),
      description: options.description,
      kind: options.kind,
      created_at: now.toISOString(),
      expires_at: earliest(
        new Date(now.getTime() + options.ttlSeconds * 1000).toISOString(),
        options.session?.expiresAt,
      ),
      last_used_at: null,
      revoked_at: null,
      session_id: options.session?.sessionId ?? null,
    };
    this.#db
      .prepare(
        `INSERT INTO api_tokens (token_id, secret_hash, principal_id, principal, description, kind, created_at, expires_at, session_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.token_id,
        row.secret_hash,
        row.principal_id,
        row.principal,
        row.description,
        row.kind,
        row.created_at,
        row.expires_at,
        row.session_id,
      );
    return { token: `fgt.${tokenId}.${secret}`, info: info(row) };
  }

  /** True when the text has the shape of one of our tokens (as opposed to e.g. a JWT). */
  static looksLikeToken(text: string): boolean {
    return text.startsWith('fgt.');
  }

  verify(text: string): TokenCheck {
    const parsed = parseApiToken(text);
    if (!parsed) return { ok: false, reason: 'malformed token' };
    const { tokenId, secret } = parsed;
    const row = this.#selectById.get(tokenId) as TokenRow | undefined;
    if (!row) return { ok: false, reason: 'unknown token' };
    const expected = Buffer.from(row.secret_hash, 'hex');
    const actual = Buffer.from(sha256(secret), 'hex');
    if (!timingSafeEqual(expected, actual)) return { ok: false, reason: 'unknown token' };
    if (row.revoked_at) return { ok: false, reason: 'token revoked' };
    const now = this.#clock();
    if (row.expires_at <= now.toISOString()) return { ok: false, reason: 'token expired' };
    this.#touch(tokenId, now);
    const principal = JSON.parse(row.principal) as Principal;
    return row.session_id === null
      ? { ok: true, principal, tokenId }
      : { ok: true, principal, tokenId, sessionId: row.session_id };
  }

  // Writing last-used on every request would put a disk write on the hot path.
  #touch(tokenId: string, now: Date): void {
    const last = this.#lastUsedWritten.get(tokenId) ?? 0;
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    this.#lastUsedWritten.set(tokenId, now.getTime());
    this.#db
      .prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?')
      .run(now.toISOString(), tokenId);
  }

  /** A person's tokens (all people's when principalId is undefined), newest first. */
  list(principalId?: string): ApiTokenInfo[] {
    const rows = (principalId === undefined
      ? this.#db.prepare('SELECT * FROM api_tokens ORDER BY created_at DESC').all()
      : this.#db
          .prepare('SELECT * FROM api_tokens WHERE principal_id = ? ORDER BY created_at DESC')
          .all(principalId)) as unknown as TokenRow[];
    return rows.map(info);
  }

  get(tokenId: string): ApiTokenInfo | undefined {
    const row = this.#db.prepare('SELECT * FROM api_tokens WHERE token_id = ?').get(tokenId) as
      | TokenRow
      | undefined;
    return row ? info(row) : undefined;
  }

  /** Revokes one token; false when there is no such token. */
  revoke(tokenId: string): boolean {
    const result = this.#db
      .prepare('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE token_id = ?')
      .run(this.#clock().toISOString(), tokenId);
    // Whoever holds connections open with it hears at once (they check the token again).
    if (Number(result.changes) > 0) this.emit('revoked');
    return Number(result.changes) > 0;
  }

  /** Revokes every token of a person; returns how many were live. */
  revokeAll(principalId: string): number {
    const result = this.#db
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL')
      .run(this.#clock().toISOString(), principalId);
    if (Number(result.changes) > 0) this.emit('revoked');
    return Number(result.changes);
  }
}
