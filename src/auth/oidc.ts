import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Principal } from './principal.ts';

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
  /** For a provider on plain http (tests on loopback): never in production. */
  readonly dangerouslyAllowHttpIssuer?: boolean;
}

interface PendingLogin {
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly createdAt: number;
}

const LOGIN_TTL_MS = 10 * 60_000;
const MAX_PENDING_LOGINS = 10_000;
const CLAIM_VALUE_MAX = 256;
const MAX_GROUPS = 256;
const GROUP_PATTERN = /^[^\s:][^\s]{0,254}$/;

/**
 * OpenID Connect sign-in (authorization code with PKCE, state and nonce) and verification
 * of the provider's ID tokens presented as bearer tokens.
 */
export class OidcProvider {
  readonly #settings: OidcSettings;
  readonly #config: client.Configuration;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly #pending = new Map<string, PendingLogin>();

  private constructor(settings: OidcSettings, config: client.Configuration) {
    this.#settings = settings;
    this.#config = config;
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new Error(`OIDC issuer ${settings.issuer} publishes no jwks_uri`);
    this.#jwks = createRemoteJWKSet(new URL(jwksUri));
  }

  /** Discovers the provider's endpoints and keys. */
  static async discover(settings: OidcSettings): Promise<OidcProvider> {
    const config = await client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      settings.clientSecret,
      settings.clientSecret ? undefined : client.None(),
      settings.dangerouslyAllowHttpIssuer ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    return new OidcProvider(settings, config);
  }

  get issuer(): string {
    return this.#settings.issuer;
  }

  /** Starts a sign-in: the URL to send the browser to. */
  async loginUrl(): Promise<string> {
    this.#expirePending();
    if (this.#pending.size >= MAX_PENDING_LOGINS)
      throw new Error('too many sign-ins in progress; try again shortly');
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    this.#pending.set(state, { codeVerifier, nonce, createdAt: Date.now() });
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

  /** Finishes a sign-in from the provider's redirect; returns the person and their ID token. */
  async finishLogin(callbackUrl: URL): Promise<{ principal: Principal; idToken: string | undefined }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = this.#pending.get(state);
    this.#pending.delete(state);
    if (!pending || Date.now() - pending.createdAt > LOGIN_TTL_MS) {
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
    return { principal: this.principalFromClaims(claims), idToken: tokens.id_token };
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
    return this.principalFromClaims(payload);
  }

  principalFromClaims(claims: Record<string, unknown>): Principal {
    const sub = claims.sub;
    if (typeof sub !== 'string' || !sub)
      throw new GatewayError('UNAUTHENTICATED', 'the ID token has no subject');
    const usernameClaim = this.#settings.usernameClaim ?? 'email';
    const named = claims[usernameClaim];
    const name = typeof named === 'string' && named ? named : sub;
    if (name.length > CLAIM_VALUE_MAX || /\s/.test(name))
      throw new GatewayError('UNAUTHENTICATED', `the ${usernameClaim} claim is not a usable name`);
    const rawGroups = claims[this.#settings.groupsClaim ?? 'groups'];
    const groups = Array.isArray(rawGroups)
      ? rawGroups
          .filter((g): g is string => typeof g === 'string' && GROUP_PATTERN.test(g))
          .slice(0, MAX_GROUPS)
      : [];
    const admins = new Set(this.#settings.adminGroups ?? []);
    // The subject is unique per issuer; hashing keeps ids short and free of odd characters.
    const subjectHash = createHash('sha256')
      .update(`${this.#settings.issuer}#${sub}`)
      .digest('hex')
      .slice(0, 24);
    return {
      principalId: `oidc:${subjectHash}`,
      provider: 'oidc',
      name,
      groups,
      isAdmin: groups.some((g) => admins.has(g)),
    };
  }

  #expirePending(): void {
    const now = Date.now();
    for (const [state, login] of this.#pending) {
      if (now - login.createdAt > LOGIN_TTL_MS) this.#pending.delete(state);
    }
  }
}
