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

/** Local users in the embedded SQLite store (table `users`). */
export class SqliteUserRepository implements UserRepository {
  readonly #db: DatabaseSync;
  // Prepared once: every request with a local person's token looks the person up.
  readonly #selectByName: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#selectByName = db.prepare('SELECT * FROM users WHERE username = ?');
  }

  get(username: string): UserRecord | undefined {
    const row = this.#selectByName.get(username) as UserRow | undefined;
    return row ? toRecord(row) : undefined;
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
  }
}
