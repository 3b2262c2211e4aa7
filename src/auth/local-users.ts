import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { hashPassword, verifyPassword } from './password-hash.ts';

/** A person who signs in with a user name and password kept by the gateway. */
export interface LocalUser {
  readonly username: string;
  readonly isAdmin: boolean;
  readonly createdAt: string;
}

export const ADMIN_USERNAME = 'admin';
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Local accounts, with passwords stored only as scrypt hashes. */
export class LocalUsers {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  count(): number {
    return Number((this.#db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n);
  }

  async create(username: string, password: string, isAdmin: boolean): Promise<LocalUser> {
    if (!USERNAME_PATTERN.test(username))
      throw new Error('user names are 1-63 lower-case letters, digits, dots, dashes or underscores');
    if (password.length < 12) throw new Error('passwords need at least 12 characters');
    const createdAt = new Date().toISOString();
    this.#db
      .prepare('INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)')
      .run(username, await hashPassword(password), isAdmin ? 1 : 0, createdAt);
    return { username, isAdmin, createdAt };
  }

  /** The user if the password is right; undefined otherwise (same answer for unknown users). */
  async verify(username: string, password: string): Promise<LocalUser | undefined> {
    const row = this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as
      | { username: string; password_hash: string; is_admin: number; created_at: string }
      | undefined;
    // Hash anyway for unknown users, so timing does not tell which names exist.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) return undefined;
    return { username: row.username, isAdmin: row.is_admin === 1, createdAt: row.created_at };
  }

  /**
   * On first start, creates the admin account: with FLEETGATE_ADMIN_PASSWORD when set,
   * else a random password that is returned once to be printed.
   */
  async bootstrapAdmin(
    passwordFromEnv: string | undefined,
  ): Promise<{ username: string; generatedPassword?: string } | undefined> {
    if (this.count() > 0) return undefined;
    const generatedPassword = passwordFromEnv ? undefined : randomBytes(18).toString('base64url');
    await this.create(ADMIN_USERNAME, passwordFromEnv ?? (generatedPassword as string), true);
    return { username: ADMIN_USERNAME, generatedPassword };
  }
}

// A valid hash of a random password, used to spend the same time on unknown user names.
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));
