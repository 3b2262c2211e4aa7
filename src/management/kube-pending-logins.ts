import { createHash } from 'node:crypto';
import {
  PENDING_LOGIN_LIMITS,
  type PendingLogin,
  type PendingLoginLimits,
  type PendingLoginStore,
} from '../auth/pending-logins.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { MANAGEMENT_CLUSTER } from './management-transport.ts';
import type { ResourceView } from './resource-view.ts';
import { decodeSecretRecord, encodeSecretRecord } from './secret-records.ts';

/** Secret type of an OIDC sign-in waiting for its callback (it holds the PKCE verifier). */
export const PENDING_LOGIN_SECRET_TYPE = 'fleetgate.dev/pending-login';

/** A pending sign-in as the view holds it. */
export interface PendingLoginEntry extends PendingLogin {
  readonly name: string;
  readonly uid: string;
  readonly createdAtMs: number;
}

/** Named by a digest of the state: the state itself is never stored. */
const secretName = (state: string) =>
  `fleetgate-login-${createHash('sha256').update(state, 'utf8').digest('hex').slice(0, 40)}`;

/** A pending-login Secret as an entry; undefined when malformed. */
export function decodePendingLogin(object: KubeObject): PendingLoginEntry | undefined {
  const record = decodeSecretRecord(object);
  const { name, uid } = object.metadata ?? {};
  if (!record || !name || !uid) return undefined;
  if (typeof record.codeVerifier !== 'string' || typeof record.nonce !== 'string') return undefined;
  if (typeof record.createdAtMs !== 'number') return undefined;
  return {
    name,
    uid,
    codeVerifier: record.codeVerifier,
    nonce: record.nonce,
    createdAtMs: record.createdAtMs,
  };
}

/**
 * OIDC sign-ins waiting for their callback, as Secrets of the management namespace, so the
 * callback may reach any replica (docs/replicas.md §2). A state is taken once: the delete
 * carries the Secret's uid as precondition, and only the replica whose delete succeeds
 * finishes the sign-in. Bounded as in one process: at most `max`, each for `ttlMs`.
 */
export class KubePendingLogins implements PendingLoginStore {
  readonly #view: ResourceView<PendingLoginEntry>;
  readonly #kube: KubeClient;
  readonly #path: string;
  readonly #limits: PendingLoginLimits;
  readonly #clock: () => number;

  constructor(
    view: ResourceView<PendingLoginEntry>,
    kube: KubeClient,
    secretsPath: string,
    limits: PendingLoginLimits = PENDING_LOGIN_LIMITS,
    clock: () => number = Date.now,
  ) {
    this.#view = view;
    this.#kube = kube;
    this.#path = secretsPath;
    this.#limits = limits;
    this.#clock = clock;
  }

  async add(state: string, login: PendingLogin): Promise<void> {
    const now = this.#clock();
    await this.#dropExpiredAndOldest(now);
    await this.#view.create(
      encodeSecretRecord(secretName(state), PENDING_LOGIN_SECRET_TYPE, {
        codeVerifier: login.codeVerifier,
        nonce: login.nonce,
        createdAtMs: now,
      }),
    );
  }

  async take(state: string): Promise<PendingLogin | undefined> {
    if (state.length === 0 || state.length > 512) return undefined;
    const name = secretName(state);
    // The callback may come back faster than this replica's watch brought the Secret.
    const entry = this.#view.get(name) ?? (await this.#read(name));
    if (!entry) return undefined;
    if (!(await this.#view.delete(name, entry.uid))) return undefined;
    if (this.#clock() - entry.createdAtMs > this.#limits.ttlMs) return undefined;
    return { codeVerifier: entry.codeVerifier, nonce: entry.nonce };
  }

  async #read(name: string): Promise<PendingLoginEntry | undefined> {
    try {
      const object = await this.#kube.get<KubeObject>(
        { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY },
        `${this.#path}/${name}`,
      );
      return (object as { type?: string }).type === PENDING_LOGIN_SECRET_TYPE
        ? decodePendingLogin(object)
        : undefined;
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'RESOURCE_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Anyone may start sign-ins: the oldest is dropped rather than a new one refused. */
  async #dropExpiredAndOldest(now: number): Promise<void> {
    const entries = this.#view.values().sort((a, b) => a.createdAtMs - b.createdAtMs);
    const drop = entries.filter(
      (entry, index) =>
        now - entry.createdAtMs > this.#limits.ttlMs || entries.length - index >= this.#limits.max,
    );
    await Promise.all(drop.slice(0, 64).map((entry) => this.#view.delete(entry.name, entry.uid)));
  }
}
