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

/** The identity a principal has in every downstream cluster (docs: README "Identity"). */
export interface DownstreamIdentity {
  readonly user: string;
  readonly groups: readonly string[];
  readonly uid: string;
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** Extra key naming the provider a person signed in with. */
export const PROVIDER_EXTRA_KEY = 'fleetgate.io/provider';

/**
 * `local:alice` / `oidc:alice@example.com`, groups `local:ops` / `oidc:platform`. The
 * provider prefix keeps people of different providers apart and makes a `system:` name
 * impossible, whatever an identity provider puts in its claims.
 */
export function downstreamIdentity(principal: Principal): DownstreamIdentity {
  return {
    user: `${principal.provider}:${principal.name}`,
    groups: principal.groups.map((group) => `${principal.provider}:${group}`),
    uid: principal.principalId,
    extra: { [PROVIDER_EXTRA_KEY]: [principal.provider] },
  };
}

/** Impersonate-* headers for an identity (extra keys percent-encoded, as Kubernetes wants). */
export function impersonationHeaders(identity: DownstreamIdentity): [string, string][] {
  const headers: [string, string][] = [['Impersonate-User', identity.user]];
  for (const group of identity.groups) headers.push(['Impersonate-Group', group]);
  headers.push(['Impersonate-Uid', identity.uid]);
  for (const [key, values] of Object.entries(identity.extra)) {
    for (const value of values) headers.push([`Impersonate-Extra-${encodeURIComponent(key)}`, value]);
  }
  return headers;
}
