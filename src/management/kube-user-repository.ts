import { createHash } from 'node:crypto';
import type { UserRecord, UserRepository } from '../auth/user-repository.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject } from '../kube/objects.ts';
import { GROUP_VERSION, KINDS } from './crds.ts';
import type { ResourceView } from './resource-view.ts';

/**
 * The object name of a user: user names may hold `_`, which object names may not, so the
 * name is a digest and the user name is in the spec (and in `kubectl get`'s columns).
 */
export function userObjectName(username: string): string {
  return `u-${createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 40)}`;
}

/** A FleetgateUser as a record; undefined when malformed. */
export function decodeUser(object: KubeObject): UserRecord | undefined {
  const spec = (object as { spec?: Record<string, unknown> }).spec;
  if (!spec || typeof spec.username !== 'string' || typeof spec.passwordHash !== 'string') return undefined;
  return {
    username: spec.username,
    passwordHash: spec.passwordHash,
    isAdmin: spec.admin === true,
    groups: Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [],
    createdAt: String(spec.createdAt ?? ''),
  };
}

/** The FleetgateUser object of a record. */
export function encodeUser(user: UserRecord): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: KINDS.user.kind,
    metadata: { name: userObjectName(user.username) },
    spec: {
      username: user.username,
      passwordHash: user.passwordHash,
      admin: user.isAdmin,
      groups: [...user.groups],
      createdAt: user.createdAt,
    },
  } as KubeObject;
}

/** Local users as FleetgateUser objects of the management cluster (docs/replicas.md §2). */
export class KubeUserRepository implements UserRepository {
  readonly #view: ResourceView<UserRecord>;

  constructor(view: ResourceView<UserRecord>) {
    this.#view = view;
  }

  get(username: string): UserRecord | undefined {
    const record = this.#view.get(userObjectName(username));
    return record?.username === username ? record : undefined;
  }

  list(): UserRecord[] {
    return this.#view
      .values()
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  count(): number {
    return this.#view.size;
  }

  async insert(user: UserRecord): Promise<void> {
    try {
      await this.#view.create(encodeUser(user));
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'CONFLICT')
        throw new GatewayError('CONFLICT', `a user named ${user.username} exists already`);
      throw error;
    }
  }
}
