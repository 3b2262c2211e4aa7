import { PROVIDER_EXTRA_KEY } from '../kube/agent-rights.ts';
import type { PersonIdentity } from '../kube/identity.ts';

/** How a person proved who they are. */
export type AuthProvider = 'local' | 'oidc';

/**
 * A signed-in person, as the gateway knows them. `principalId` is stable across sign-ins
 * and is what tokens, audit lines and downstream uids refer to.
 */
export interface Principal {
  readonly principalId: string;
  readonly provider: AuthProvider;
  /** Display name: the local user name, or the OIDC username claim. */
  readonly name: string;
  /** Gateway groups, without provider prefix. */
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
}

/**
 * `local:alice` / `oidc:alice@example.com`, groups `local:ops` / `oidc:platform`. The
 * provider prefix keeps people of different providers apart and makes a `system:` name
 * impossible, whatever an identity provider puts in its claims.
 */
export function downstreamIdentity(principal: Principal): PersonIdentity {
  return {
    kind: 'person',
    user: `${principal.provider}:${principal.name}`,
    groups: principal.groups.map((group) => `${principal.provider}:${group}`),
    uid: principal.principalId,
    extra: { [PROVIDER_EXTRA_KEY]: [principal.provider] },
  };
}
