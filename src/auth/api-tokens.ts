import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors/gateway-error.ts';
import type { ApiTokenKind, ApiTokenRecord, ApiTokenRepository } from './api-token-repository.ts';
import type { Principal } from './principal.ts';
import { TokenRecordCache } from './token-record-cache.ts';

export type { ApiTokenKind } from './api-token-repository.ts';

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
      readonly reason:
        | 'malformed token'
        | 'unknown token'
        | 'token expired'
        | 'token revoked'
        | 'token store unavailable';
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

function info(record: ApiTokenRecord): ApiTokenInfo {
  return {
    tokenId: record.tokenId,
    principalId: record.principalId,
    principalName: record.principal.name,
    description: record.description,
    kind: record.kind,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  };
}

/**
 * Bearer tokens for people (`fgt.<id>.<secret>`): shown once, stored as SHA-256 of the
 * secret (256 random bits need no slow hash), with a TTL, revocable one by one or all of a
 * person's at once.
 */
export class ApiTokens extends EventEmitter<{ revoked: [] }> {
  readonly #repo: ApiTokenRepository;
  readonly #clock: () => Date;
  readonly #lastUsedWritten = new Map<string, number>();
  readonly #records = new TokenRecordCache();

  constructor(repo: ApiTokenRepository, clock: () => Date = () => new Date()) {
    super();
    this.#repo = repo;
    this.#clock = clock;
    // Revoked on another replica: connections held open here hear it too.
    repo.onRevokedElsewhere(() => {
      this.#records.clear();
      this.emit('revoked');
    });
  }

  /**
   * Issues a token; the returned `token` is the only time the secret is seen. An OIDC
   * person's token needs the sign-in it is made under, and expires no later than it.
   */
  async create(
    principal: Principal,
    options: { description: string; ttlSeconds: number; kind: ApiTokenKind; session?: SignInSession },
  ): Promise<{ token: string; info: ApiTokenInfo }> {
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
    const record: ApiTokenRecord = {
      tokenId,
      secretHash: sha256(secret),
      principalId: principal.principalId,
      principal,
      description: options.description,
      kind: options.kind,
      createdAt: now.toISOString(),
      expiresAt: earliest(
        new Date(now.getTime() + options.ttlSeconds * 1000).toISOString(),
        options.session?.expiresAt,
      ),
      lastUsedAt: null,
      revokedAt: null,
      sessionId: options.session?.sessionId ?? null,
    };
    await this.#repo.insert(record);
    return { token: `fgt.${tokenId}.${secret}`, info: info(record) };
  }

  /** True when the text has the shape of one of our tokens (as opposed to e.g. a JWT). */
  static looksLikeToken(text: string): boolean {
    return text.startsWith('fgt.');
  }

  verify(text: string): TokenCheck {
    const parsed = parseApiToken(text);
    if (!parsed) return { ok: false, reason: 'malformed token' };
    const { tokenId, secret } = parsed;
    const unavailable = this.#repo.unavailable();
    if (unavailable) return { ok: false, reason: 'token store unavailable' };
    const nowMs = Date.now();
    let row = this.#records.get(tokenId, nowMs);
    if (!row) {
      row = this.#repo.get(tokenId);
      if (!row) return { ok: false, reason: 'unknown token' };
      this.#records.set(tokenId, row, nowMs);
    }
    const expected = Buffer.from(row.secretHash, 'hex');
    const actual = createHash('sha256').update(secret, 'utf8').digest();
    if (!timingSafeEqual(expected, actual)) return { ok: false, reason: 'unknown token' };
    if (row.revokedAt) return { ok: false, reason: 'token revoked' };
    const now = this.#clock();
    if (row.expiresAt <= now.toISOString()) return { ok: false, reason: 'token expired' };
    this.#touch(tokenId, now);
    const principal = row.principal;
    return row.sessionId === null
      ? { ok: true, principal, tokenId }
      : { ok: true, principal, tokenId, sessionId: row.sessionId };
  }

  // Writing last-used on every request would put a disk write on the hot path.
  #touch(tokenId: string, now: Date): void {
    const last = this.#lastUsedWritten.get(tokenId) ?? 0;
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    this.#lastUsedWritten.set(tokenId, now.getTime());
    // Bounded: entries older than the resolution carry no information any more.
    if (this.#lastUsedWritten.size > 100_000) {
      for (const [id, at] of this.#lastUsedWritten)
        if (now.getTime() - at >= LAST_USED_RESOLUTION_MS) this.#lastUsedWritten.delete(id);
    }
    this.#repo.touch(tokenId, now.toISOString());
  }

  /** A person's tokens (all people's when principalId is undefined), newest first. */
  list(principalId?: string): ApiTokenInfo[] {
    return this.#repo.list(principalId).map(info);
  }

  get(tokenId: string): ApiTokenInfo | undefined {
    const record = this.#repo.get(tokenId);
    return record ? info(record) : undefined;
  }

  /** Revokes one token; false when there is no such token. */
  async revoke(tokenId: string): Promise<boolean> {
    // Cleared before and after: no verification in between may keep the unrevoked record.
    this.#records.clear();
    const revoked = await this.#repo.revoke(tokenId, this.#clock().toISOString());
    this.#records.clear();
    // Whoever holds connections open with it hears at once (they check the token again).
    if (revoked) this.emit('revoked');
    return revoked;
  }

  /** Revokes every token of a person; returns how many were live. */
  async revokeAll(principalId: string): Promise<number> {
    this.#records.clear();
    const count = await this.#repo.revokeAll(principalId, this.#clock().toISOString());
    this.#records.clear();
    if (count > 0) this.emit('revoked');
    return count;
  }
}
