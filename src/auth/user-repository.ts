import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { GatewayError } from '../errors/gateway-error.ts';

/** A local user as stored: the password only as its scrypt hash. */
export interface UserRecord {
  readonly username: string;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
  readonly groups: readonly string[];
  readonly createdAt: string;
}

/**
 * Where local users are kept (docs/replicas.md §1): reads answer at once from the store or
 * its in-memory view; a write settles once the store holds it.
 */
export interface UserRepository {
  get(username: string): UserRecord | undefined;
  /** Every user, by name. */
  list(): UserRecord[];
  count(): number;
  /** Stores a new user; CONFLICT when the name is taken (here or on another replica). */
  insert(user: UserRecord): Promise<void>;
}

interface UserRow {
  username: string;
  password_hash: string;
  is_admin: number;
  groups: string;
  created_at: string;
}

function toRecord(row: UserRow): UserRecord {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    groups: JSON.parse(row.groups) as string[],
    createdAt: row.created_at,
  };
}

/**
 * How long a user's record read from SQLite is reused. The gateway itself only inserts users
 * (and forgets the name when it does); this bounds how late an edit of the database made
 * behind the gateway's back (groups, admin flag, removal) applies: as with token records
 * (token-record-cache.ts).
 */
export const USER_RECORD_CACHE_MS = 2_000;
/** Records kept at most; the oldest goes first. */
export const USER_RECORD_CACHE_MAX = 10_000;

/** Local users in the embedded SQLite store (table `users`). */
export class SqliteUserRepository implements UserRepository {
  readonly #db: DatabaseSync;
  // Prepared once: every request with a local person's token looks the person up.
  readonly #selectByName: StatementSync;
  // That lookup (a query and the groups' JSON) was 5-6 % of the gateway's CPU per
  // passthrough request: records found are reused for USER_RECORD_CACHE_MS.
  readonly #recent = new Map<string, { readonly record: UserRecord; readonly until: number }>();
  readonly #nowMs: () => number;

  /** `nowMs` is the clock of the record cache (tests move it). */
  constructor(db: DatabaseSync, nowMs: () => number = () => performance.now()) {
    this.#db = db;
    this.#selectByName = db.prepare('SELECT * FROM users WHERE username = ?');
    this.#nowMs = nowMs;
  }

  get(username: string): UserRecord | undefined {
    const now = this.#nowMs();
    const recent = this.#recent.get(username);
    if (recent && recent.until > now) return recent.record;
    const row = this.#selectByName.get(username) as UserRow | undefined;
    if (!row) {
      this.#recent.delete(username);
      return undefined;
    }
    const record = toRecord(row);
    this.#recent.delete(username);
    if (this.#recent.size >= USER_RECORD_CACHE_MAX) {
      const oldest = this.#recent.keys().next();
      if (!oldest.done) this.#recent.delete(oldest.value);
    }
    this.#recent.set(username, { record, until: now + USER_RECORD_CACHE_MS });
    return record;
  }

  list(): UserRecord[] {
    return (this.#db.prepare('SELECT * FROM users ORDER BY username').all() as unknown as UserRow[]).map(
      toRecord,
    );
  }

  count(): number {
    return Number((this.#db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n);
  }

  async insert(user: UserRecord): Promise<void> {
    if (this.get(user.username))
      throw new GatewayError('CONFLICT', `a user named ${user.username} exists already`);
    this.#db
      .prepare(
        'INSERT INTO users (username, password_hash, is_admin, groups, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        user.username,
        user.passwordHash,
        user.isAdmin ? 1 : 0,
        JSON.stringify(user.groups),
        user.createdAt,
      );
    this.#recent.delete(user.username);
  }
}
