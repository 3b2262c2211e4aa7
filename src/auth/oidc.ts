import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { GatewayError } from '../errors/gateway-error.ts';
import { identityProblem } from '../kube/identity.ts';
import { type PendingLoginStore, PendingLogins } from './pending-logins.ts';
import { downstreamIdentity, type Principal } from './principal.ts';

/** How the gateway talks to one OpenID provider. */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The gateway's callback, registered with the provider: <public URL>/v1/auth/oidc/callback. */
  readonly redirectUri: string;
  /** Claim that names the person (default "email", falling back to "sub"). */
  readonly usernameClaim?: string;
  /** Claim holding the person's groups (default "groups"). */
  readonly groupsClaim?: string;
  /** Provider groups whose members administer the gateway. */
  readonly adminGroups?: readonly string[];
  readonly scopes?: readonly string[];
  /** How often a sign-in's person is read again from the provider (default OIDC_REFRESH_INTERVAL_SECONDS). */
  readonly sessionRefreshSeconds?: number;
  /** For a provider on plain http (tests on loopback): never in production. */
  readonly dangerouslyAllowHttpIssuer?: boolean;
}

/**
 * How often, at most, a signed-in person's groups (and so admin rights) are read again from
 * the provider; an ID token presented as a bearer token is accepted for no longer after it
 * was issued.
 */
export const OIDC_REFRESH_INTERVAL_SECONDS = 3600;

/** What the provider gave a sign-in, to read the person again later. */
export interface ProviderGrant {
  readonly subject: string;
  readonly refreshToken?: string;
  readonly accessToken?: string;
}

const CLAIM_VALUE_MAX = 256;
const MAX_GROUPS = 256;

/**
 * OpenID Connect sign-in (authorization code with PKCE, state and nonce) and verification
 * of the provider's ID tokens presented as bearer tokens.
 */
export class OidcProvider {
  readonly #settings: OidcSettings;
  readonly #config: client.Configuration;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly #pending: PendingLoginStore;

  private constructor(settings: OidcSettings, config: client.Configuration, pending: PendingLoginStore) {
    this.#pending = pending;
    const refresh = settings.sessionRefreshSeconds;
    if (
      refresh !== undefined &&
      !(Number.isInteger(refresh) && refresh >= 1 && refresh <= OIDC_REFRESH_INTERVAL_SECONDS)
    )
      throw new Error(
        `sessionRefreshSeconds must be a whole number from 1 to ${OIDC_REFRESH_INTERVAL_SECONDS}`,
      );
    this.#settings = settings;
    this.#config = config;
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new Error(`OIDC issuer ${settings.issuer} publishes no jwks_uri`);
    this.#jwks = createRemoteJWKSet(new URL(jwksUri));
  }

  /** Discovers the provider's endpoints and keys. */
  static async discover(
    settings: OidcSettings,
    pending: PendingLoginStore = new PendingLogins(),
  ): Promise<OidcProvider> {
    const config = await client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      settings.clientSecret,
      settings.clientSecret ? undefined : client.None(),
      settings.dangerouslyAllowHttpIssuer ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    return new OidcProvider(settings, config, pending);
  }

  get issuer(): string {
    return this.#settings.issuer;
  }

  /** How often a sign-in's person is read again from the provider. */
  get refreshIntervalSeconds(): number {
    return this.#settings.sessionRefreshSeconds ?? OIDC_REFRESH_INTERVAL_SECONDS;
  }

  /** Starts a sign-in: the URL to send the browser to. */
  async loginUrl(): Promise<string> {
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.#pending.add(state, { codeVerifier, nonce });
    const url = client.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.#settings.redirectUri,
      scope: (this.#settings.scopes ?? ['openid', 'email', 'profile', 'groups']).join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return url.href;
  }

  /**
   * Finishes a sign-in from the provider's redirect; returns the person, their ID token, and
   * the grant to read them again with.
   */
  async finishLogin(
    callbackUrl: URL,
  ): Promise<{ principal: Principal; idToken: string | undefined; grant: ProviderGrant }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = await this.#pending.take(state);
    if (!pending) {
      throw new GatewayError('UNAUTHENTICATED', 'unknown or expired sign-in state; start the sign-in again');
    }
    const tokens = await client.authorizationCodeGrant(this.#config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new GatewayError('UNAUTHENTICATED', 'the provider returned no ID token');
    const grant: ProviderGrant = {
      subject: claims.sub,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(tokens.access_token ? { accessToken: tokens.access_token } : {}),
    };
    return { principal: this.principalFromClaims(claims), idToken: tokens.id_token, grant };
  }

  /**
   * Reads the person of a sign-in again: with the refresh token when there is one (the new
   * ID token's claims, or else userinfo with the new access token), otherwise from userinfo
   * with the sign-in's access token, which works until that token expires. Throws when the
   * provider no longer vouches for the person or their claims no longer make a person.
   */
  async reread(grant: ProviderGrant): Promise<{ principal: Principal; grant: ProviderGrant }> {
    let next = grant;
    let claims: Record<string, unknown> | undefined;
    if (grant.refreshToken) {
      const tokens = await client.refreshTokenGrant(this.#config, grant.refreshToken);
      next = {
        subject: grant.subject,
        refreshToken: tokens.refresh_token ?? grant.refreshToken,
        ...(tokens.access_token ? { accessToken: tokens.access_token } : {}),
      };
      claims = tokens.claims();
    }
    if (!claims) {
      if (!next.accessToken)
        throw new GatewayError('UNAUTHENTICATED', 'the provider gave no token to read the person again with');
      claims = await client.fetchUserInfo(this.#config, next.accessToken, grant.subject);
    }
    if (claims.sub !== grant.subject)
      throw new GatewayError('UNAUTHENTICATED', 'the provider answered for another subject');
    return { principal: this.principalFromClaims(claims), grant: next };
  }

  /** Where to send the browser to end the provider session, if the provider supports it. */
  logoutUrl(idToken: string | undefined, postLogoutRedirectUri?: string): string | undefined {
    if (!this.#config.serverMetadata().end_session_endpoint) return undefined;
    const parameters: Record<string, string> = {};
    if (idToken) parameters.id_token_hint = idToken;
    if (postLogoutRedirectUri) parameters.post_logout_redirect_uri = postLogoutRedirectUri;
    return client.buildEndSessionUrl(this.#config, parameters).href;
  }

  /** Verifies an ID token presented as a bearer token: signature, issuer, audience, expiry. */
  async verifyBearer(jwt: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, this.#jwks, {
        issuer: this.#config.serverMetadata().issuer,
        audience: this.#settings.clientId,
        clockTolerance: 30,
      }));
    } catch (error) {
      throw new GatewayError('UNAUTHENTICATED', `OIDC token rejected: ${(error as Error).message}`);
    }
    // A token listing several audiences was issued to whichever client `azp` names, perhaps
    // another one that may also show it here; accepted only when it names this gateway, the
    // rule openid-client applies to the ID tokens of sign-ins (OIDC Core 3.1.3.7).
    if (Array.isArray(payload.aud) && payload.aud.length !== 1 && payload.azp !== this.#settings.clientId)
      throw new GatewayError(
        'UNAUTHENTICATED',
        'OIDC token rejected: it lists several audiences and its authorized party (azp) is not this gateway',
      );
    // Its groups are as old as the token: no older than a sign-in's are accepted.
    const age = Date.now() / 1000 - (payload.iat ?? 0);
    if (age > this.refreshIntervalSeconds)
      throw new GatewayError(
        'UNAUTHENTICATED',
        `OIDC token rejected: issued more than ${this.refreshIntervalSeconds} s ago; get a new one`,
      );
    return this.principalFromClaims(payload);
  }

  /**
   * The person the provider's claims name. Refused, with the reason: an email that names the
   * person but that the provider has not verified (anyone may put any address in an account
   * at many providers), groups that are not a list of names, and any name or group the
   * gateway could not pass on downstream (identityProblem).
   */
  principalFromClaims(claims: Record<string, unknown>): Principal {
    const sub = claims.sub;
    if (typeof sub !== 'string' || !sub)
      throw new GatewayError('UNAUTHENTICATED', 'the ID token has no subject');
    const usernameClaim = this.#settings.usernameClaim ?? 'email';
    const named = claims[usernameClaim];
    const name = typeof named === 'string' && named ? named : sub;
    if (name.length > CLAIM_VALUE_MAX || /\s/.test(name))
      throw new GatewayError('UNAUTHENTICATED', `the ${usernameClaim} claim is not a usable name`);
    if (name !== sub && usernameClaim === 'email' && claims.email_verified !== true)
      throw new GatewayError(
        'UNAUTHENTICATED',
        `the email ${JSON.stringify(name.slice(0, 64))} is not verified by the provider, so it cannot name a person`,
      );
    const groupsClaim = this.#settings.groupsClaim ?? 'groups';
    const rawGroups = claims[groupsClaim] ?? [];
    if (!Array.isArray(rawGroups) || !rawGroups.every((g): g is string => typeof g === 'string'))
      throw new GatewayError('UNAUTHENTICATED', `the ${groupsClaim} claim is not a list of names`);
    if (rawGroups.length > MAX_GROUPS)
      throw new GatewayError(
        'UNAUTHENTICATED',
        `the ${groupsClaim} claim lists more than ${MAX_GROUPS} groups`,
      );
    const groups: string[] = rawGroups;
    const admins = new Set(this.#settings.adminGroups ?? []);
    // The subject is unique per issuer; hashing keeps ids short and free of odd characters.
    const subjectHash = createHash('sha256')
      .update(`${this.#settings.issuer}#${sub}`)
      .digest('hex')
      .slice(0, 24);
    const principal: Principal = {
      principalId: `oidc:${subjectHash}`,
      provider: 'oidc',
      name,
      groups,
      isAdmin: groups.some((g) => admins.has(g)),
    };
    const problem = identityProblem(downstreamIdentity(principal));
    if (problem)
      throw new GatewayError(
        'UNAUTHENTICATED',
        `the provider's claims cannot name a person here: ${problem}`,
      );
    return principal;
  }
}
