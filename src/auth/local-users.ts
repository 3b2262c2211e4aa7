import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import type { Principal } from './principal.ts';
import type { UserRecord, UserRepository } from './user-repository.ts';

/** A person who signs in with a user name and password kept by the gateway. */
export interface LocalUser {
  readonly username: string;
  readonly isAdmin: boolean;
  /** Gateway groups (downstream as `local:<group>`). */
  readonly groups: readonly string[];
  readonly createdAt: string;
}

function toUser(record: UserRecord): LocalUser {
  return {
    username: record.username,
    isAdmin: record.isAdmin,
    groups: [...record.groups],
    createdAt: record.createdAt,
  };
}

/** The principal a local user signs in as. */
export function localPrincipal(user: LocalUser): Principal {
  return {
    principalId: `local:${user.username}`,
    provider: 'local',
    name: user.username,
    groups: user.groups,
    isAdmin: user.isAdmin,
  };
}

export const ADMIN_USERNAME = 'admin';
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const MAX_GROUPS = 64;

/** Local accounts, with passwords stored only as scrypt hashes. */
export class LocalUsers {
  readonly #repo: UserRepository;

  constructor(repo: UserRepository) {
    this.#repo = repo;
  }

  count(): number {
    return this.#repo.count();
  }

  async create(
    username: string,
    password: string,
    isAdmin: boolean,
    groups: readonly string[] = [],
  ): Promise<LocalUser> {
    if (!NAME_PATTERN.test(username)) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        'user names are 1-63 lower-case letters, digits, dots, dashes or underscores',
      );
    }
    if (password.length < 12)
      throw new GatewayError('BAD_USER_INPUT', 'passwords need at least 12 characters');
    if (groups.length > MAX_GROUPS || !groups.every((g) => NAME_PATTERN.test(g))) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        `at most ${MAX_GROUPS} groups, each 1-63 lower-case letters, digits, dots, dashes or underscores`,
      );
    }
    if (this.get(username)) throw new GatewayError('CONFLICT', `a user named ${username} exists already`);
    const createdAt = new Date().toISOString();
    await this.#repo.insert({
      username,
      passwordHash: await hashPassword(password),
      isAdmin,
      groups: [...groups],
      createdAt,
    });
    return { username, isAdmin, groups: [...groups], createdAt };
  }

  get(username: string): LocalUser | undefined {
    const record = this.#repo.get(username);
    return record ? toUser(record) : undefined;
  }

  list(): LocalUser[] {
    return this.#repo.list().map(toUser);
  }

  /** The user if the password is right; undefined otherwise (same answer for unknown users). */
  async verify(username: string, password: string): Promise<LocalUser | undefined> {
    const record = this.#repo.get(username);
    // Hash anyway for unknown users, so timing does not tell which names exist.
    const ok = await verifyPassword(password, record?.passwordHash ?? DUMMY_HASH);
    if (!record || !ok) return undefined;
    return toUser(record);
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
    try {
      await this.create(ADMIN_USERNAME, passwordFromEnv ?? (generatedPassword as string), true);
    } catch (error) {
      // Another replica starting at the same moment made it first.
      if (error instanceof GatewayError && error.code === 'CONFLICT') return undefined;
      throw error;
    }
    return { username: ADMIN_USERNAME, generatedPassword };
  }
}

// A valid hash of a random password, used to spend the same time on unknown user names.
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));
