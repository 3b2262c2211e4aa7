import type {
  OidcSessionRecord,
  OidcSessionRefresh,
  OidcSessionRepository,
} from '../auth/oidc-session-repository.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { ResourceView } from './resource-view.ts';
import { decodeSecretRecord, encodeSecretRecord, withSecretRecord } from './secret-records.ts';

/** Secret type of an OIDC sign-in (it holds the provider's refresh and access tokens). */
export const OIDC_SESSION_SECRET_TYPE = 'fleetgate.dev/oidc-session';

const secretName = (sessionId: string) => `fleetgate-oidc-session-${sessionId}`;

/** An OIDC sign-in Secret as a record; undefined when malformed. */
export function decodeOidcSession(object: KubeObject): OidcSessionRecord | undefined {
  const record = decodeSecretRecord(object);
  if (!record || typeof record.sessionId !== 'string' || typeof record.principalId !== 'string')
    return undefined;
  return record as unknown as OidcSessionRecord;
}

/** The Secret of an OIDC sign-in record. */
export function encodeOidcSession(session: OidcSessionRecord): KubeObject {
  return encodeSecretRecord(secretName(session.sessionId), OIDC_SESSION_SECRET_TYPE, session);
}

/** OIDC sign-ins as Secrets of the management namespace (docs/replicas.md §2). */
export class KubeOidcSessionRepository implements OidcSessionRepository {
  readonly #view: ResourceView<OidcSessionRecord>;

  constructor(view: ResourceView<OidcSessionRecord>) {
    this.#view = view;
  }

  get(sessionId: string): OidcSessionRecord | undefined {
    return this.#view.get(secretName(sessionId));
  }

  async insert(session: OidcSessionRecord): Promise<void> {
    await this.#view.create(encodeOidcSession(session));
  }

  async refreshed(sessionId: string, refresh: OidcSessionRefresh): Promise<void> {
    await this.#view.update(secretName(sessionId), (object) => {
      const current = decodeOidcSession(object);
      if (!current || current.endedAt) return undefined;
      return withSecretRecord(object, { ...current, ...refresh });
    });
  }

  async end(sessionId: string, at: string): Promise<void> {
    await this.#view.update(secretName(sessionId), (object) => {
      const current = decodeOidcSession(object);
      if (!current) return undefined;
      return withSecretRecord(object, {
        ...current,
        endedAt: current.endedAt ?? at,
        refreshToken: null,
        accessToken: null,
      });
    });
  }
}
