import type { ApiTokenKind, ApiTokenRecord, ApiTokenRepository } from '../auth/api-token-repository.ts';
import type { Principal } from '../auth/principal.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { Logger } from '../shared/log/logger.ts';
import { GROUP_VERSION, KINDS } from './crds.ts';
import { LatestValueQueue } from './latest-value-queue.ts';
import type { ResourceView } from './resource-view.ts';

/** Revocations of one person run this many writes at a time. */
const REVOKE_CONCURRENCY = 16;
/**
 * Last-used times written at once: thousands of tokens first used in the same second must
 * not become thousands of concurrent writes in front of a revocation.
 */
export const TOUCH_CONCURRENCY = 2;
/** Last-used times waiting to be written; beyond this the newest are dropped (best effort). */
export const MAX_PENDING_TOUCHES = 10_000;

interface TokenSpec {
  secretHash?: unknown;
  principalId?: unknown;
  principal?: Principal;
  description?: unknown;
  kind?: unknown;
  createdAt?: unknown;
  expiresAt?: unknown;
  sessionId?: unknown;
  revokedAt?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** A FleetgateApiToken as a record; undefined when malformed. */
export function decodeApiToken(object: KubeObject): ApiTokenRecord | undefined {
  const spec = (object as { spec?: TokenSpec }).spec;
  const status = (object as { status?: { lastUsedAt?: unknown } }).status;
  const tokenId = object.metadata?.name;
  if (!spec || !tokenId || typeof spec.secretHash !== 'string' || typeof spec.principalId !== 'string')
    return undefined;
  if (!spec.principal || typeof spec.expiresAt !== 'string') return undefined;
  return {
    tokenId,
    secretHash: spec.secretHash,
    principalId: spec.principalId,
    principal: { ...spec.principal, groups: spec.principal.groups ?? [] },
    description: text(spec.description) ?? '',
    kind: (text(spec.kind) ?? 'api') as ApiTokenKind,
    createdAt: text(spec.createdAt) ?? '',
    expiresAt: spec.expiresAt,
    lastUsedAt: text(status?.lastUsedAt),
    revokedAt: text(spec.revokedAt),
    sessionId: text(spec.sessionId),
  };
}

/** The FleetgateApiToken object of a record. */
export function encodeApiToken(token: ApiTokenRecord): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: KINDS.apiToken.kind,
    metadata: { name: token.tokenId },
    spec: {
      secretHash: token.secretHash,
      principalId: token.principalId,
      principal: {
        principalId: token.principal.principalId,
        provider: token.principal.provider,
        name: token.principal.name,
        groups: [...token.principal.groups],
        isAdmin: token.principal.isAdmin,
      },
      description: token.description,
      kind: token.kind,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      sessionId: token.sessionId,
      revokedAt: token.revokedAt,
    },
    status: { lastUsedAt: token.lastUsedAt },
  } as KubeObject;
}

/** Tokens as FleetgateApiToken objects (hashes only), read from every replica's view. */
export class KubeApiTokenRepository implements ApiTokenRepository {
  readonly #view: ResourceView<ApiTokenRecord>;
  readonly #log: Logger;
  readonly #touches: LatestValueQueue<string>;

  constructor(view: ResourceView<ApiTokenRecord>, log: Logger) {
    this.#view = view;
    this.#log = log;
    this.#touches = new LatestValueQueue({
      concurrency: TOUCH_CONCURRENCY,
      maxWaiting: MAX_PENDING_TOUCHES,
      write: (tokenId, at) =>
        this.#view.patch(tokenId, { status: { lastUsedAt: at } }).then(
          () => undefined,
          (error: unknown) => this.#log.debug({ tokenId, err: error }, 'could not record a token use'),
        ),
    });
  }

  get(tokenId: string): ApiTokenRecord | undefined {
    return this.#view.get(tokenId);
  }

  list(principalId?: string): ApiTokenRecord[] {
    const all = this.#view.values();
    return (principalId === undefined ? all : all.filter((t) => t.principalId === principalId)).sort(
      (a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0),
    );
  }

  async insert(token: ApiTokenRecord): Promise<void> {
    await this.#view.create(encodeApiToken(token));
  }

  touch(tokenId: string, at: string): void {
    this.#touches.offer(tokenId, at);
  }

  async revoke(tokenId: string, at: string): Promise<boolean> {
    if (!this.#view.get(tokenId)) return false;
    await this.#view.update(tokenId, (object) => {
      const spec = (object as { spec: TokenSpec }).spec;
      if (spec.revokedAt) return undefined;
      spec.revokedAt = at;
      return object;
    });
    return true;
  }

  async revokeAll(principalId: string, at: string): Promise<number> {
    const live = this.list(principalId).filter((t) => t.revokedAt === null);
    let revoked = 0;
    for (let i = 0; i < live.length; i += REVOKE_CONCURRENCY) {
      const batch = live.slice(i, i + REVOKE_CONCURRENCY);
      const results = await Promise.all(
        batch.map((token) =>
          this.#view.update(token.tokenId, (object) => {
            const spec = (object as { spec: TokenSpec }).spec;
            if (spec.revokedAt) return undefined;
            spec.revokedAt = at;
            return object;
          }),
        ),
      );
      revoked += results.filter((r) => r !== undefined).length;
    }
    return revoked;
  }

  unavailable(): string | undefined {
    return this.#view.unavailable();
  }

  onRevokedElsewhere(listener: () => void): void {
    this.#view.on('changedElsewhere', (_name, value, previous) => {
      if (value?.revokedAt && !previous?.revokedAt) listener();
      // A token deleted by hand is as good as revoked.
      else if (!value && previous) listener();
    });
  }
}
