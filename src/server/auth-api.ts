import type { IncomingMessage, ServerResponse } from 'node:http';
import { type GatewayAdmin, requireAdmin } from '../admin/gateway-admin.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import {
  type ApiTokenKind,
  type ApiTokens,
  KUBECONFIG_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  SESSION_TTL_SECONDS,
  type SignInSession,
} from '../auth/api-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { renderGatewayKubeconfig } from '../auth/kubeconfig.ts';
import { type LocalUsers, localPrincipal } from '../auth/local-users.ts';
import type { OidcProvider, ProviderGrant } from '../auth/oidc.ts';
import type { OidcSessions } from '../auth/oidc-sessions.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import { downstreamIdentity, type Principal } from '../auth/principal.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { decodePathSegment, optionalInteger, readJsonBody, sendJson } from './http-json.ts';
import { authenticateRequest, type Caller } from './request-auth.ts';

export interface AuthApiOptions {
  readonly users: LocalUsers;
  /** Password checks, limited per user name and address. */
  readonly passwords: PasswordSignIn;
  readonly tokens: ApiTokens;
  readonly admin: GatewayAdmin;
  readonly authenticator: Authenticator;
  readonly registry: ClusterRegistry;
  readonly audit: AuditLog;
  readonly oidc?: OidcProvider;
  /** The OIDC sign-ins; present whenever `oidc` is. */
  readonly sessions?: OidcSessions;
  readonly publicUrl: () => string;
  readonly caPem?: string;
}

function stringField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new GatewayError('BAD_USER_INPUT', `${field} must be a string`);
  return value;
}

/**
 * Sign-in, tokens, users and kubeconfigs:
 *   POST   /v1/auth/login {username, password}   local sign-in; answers a session token
 *   GET    /v1/auth/oidc/login                   redirects to the OpenID provider
 *   GET    /v1/auth/oidc/callback                finishes OIDC sign-in; answers a session token
 *   POST   /v1/auth/logout                       revokes the token used (and ends its OIDC sign-in); gives the provider's logout URL
 *   GET    /v1/auth/whoami                       the caller and their downstream identity
 *   POST   /v1/tokens {description, ttlSeconds}  a new API token (shown once)
 *   GET    /v1/tokens[?all=1]                    the caller's tokens (all people's, for admins)
 *   DELETE /v1/tokens/:tokenId                   revoke (own, or any for admins)
 *   POST   /v1/users {username, password, groups, isAdmin}   admins: create a local user
 *   GET    /v1/users                             admins: list local users
 *   DELETE /v1/users/:principalId/tokens         admins: revoke every token of a person
 *   GET    /v1/kubeconfig[?ttlSeconds=N]         a kubeconfig for every cluster, with a new token
 */
export class AuthApi {
  readonly #o: AuthApiOptions;

  constructor(options: AuthApiOptions) {
    this.#o = options;
  }

  #caller(req: IncomingMessage): Promise<Caller> {
    return authenticateRequest(req, this.#o.authenticator, this.#o.passwords);
  }

  #issue(
    principal: Principal,
    kind: ApiTokenKind,
    description: string,
    ttlSeconds: number,
    session: SignInSession | undefined,
  ) {
    return this.#o.tokens.create(principal, { kind, description, ttlSeconds, session });
  }

  /** A successful sign-in: a session token (of the OIDC sign-in, if any), and its line in the audit log. */
  async #startSession(
    principal: Principal,
    description: string,
    remote: string | undefined,
    session?: SignInSession,
  ) {
    const issued = await this.#issue(principal, 'session', description, SESSION_TTL_SECONDS, session);
    this.#o.audit.signIn({
      provider: principal.provider,
      principal: principal.name,
      principalId: principal.principalId,
      outcome: 'success',
      remote,
    });
    return issued;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const remote = req.socket.remoteAddress;
    if (path === '/v1/auth/login' && method === 'POST') {
      const body = await readJsonBody(req);
      const username = stringField(body, 'username', true) as string;
      const password = stringField(body, 'password', true) as string;
      const user = await this.#o.passwords.verify(username, password, remote, 'login');
      const principal = localPrincipal(user);
      const { token, info } = await this.#startSession(principal, 'sign-in', remote);
      sendJson(res, 200, { token, expiresAt: info.expiresAt, principal });
      return true;
    }
    if (path === '/v1/auth/oidc/login' && method === 'GET') {
      const oidc = this.#requireOidc();
      res.writeHead(302, { location: await oidc.loginUrl(), 'cache-control': 'no-store' }).end();
      return true;
    }
    if (path === '/v1/auth/oidc/callback' && method === 'GET') {
      const oidc = this.#requireOidc();
      const error = url.searchParams.get('error');
      if (error)
        throw new GatewayError(
          'UNAUTHENTICATED',
          `the OpenID provider refused the sign-in: ${error.slice(0, 200)}`,
        );
      let principal: Principal;
      let idToken: string | undefined;
      let grant: ProviderGrant;
      try {
        ({ principal, idToken, grant } = await oidc.finishLogin(
          new URL(`${url.pathname}${url.search}`, this.#o.publicUrl()),
        ));
      } catch (failure) {
        const reason =
          failure instanceof GatewayError ? failure.message : `sign-in failed: ${(failure as Error).message}`;
        this.#o.audit.signIn({ provider: 'oidc', principal: '', outcome: 'failure', reason, remote });
        throw new GatewayError('UNAUTHENTICATED', reason);
      }
      const session = await this.#requireSessions().start(principal, grant);
      const { token, info } = await this.#startSession(principal, 'OIDC sign-in', remote, session);
      // The ID token is the person's own: usable as a bearer token and as the logout hint.
      sendJson(res, 200, { token, expiresAt: info.expiresAt, principal, idToken });
      return true;
    }
    if (
      !path.startsWith('/v1/auth/') &&
      !path.startsWith('/v1/tokens') &&
      !path.startsWith('/v1/users') &&
      path !== '/v1/kubeconfig'
    ) {
      return false;
    }
    const caller = await this.#caller(req);
    if (path === '/v1/auth/logout' && method === 'POST') {
      const who = { principalId: caller.principal.principalId, principal: caller.principal.name };
      await this.#o.audit.audited({ ...who, action: 'logout', target: caller.tokenId, remote }, async () => {
        if (caller.tokenId) await this.#o.tokens.revoke(caller.tokenId);
        // Signing out ends the sign-in: every token made within it stops working too.
        if (caller.session) await this.#requireSessions().end(caller.session.sessionId);
      });
      sendJson(res, 200, {
        revoked: caller.tokenId !== undefined,
        signInEnded: caller.session !== undefined,
        logoutUrl: this.#o.oidc?.logoutUrl(undefined) ?? null,
      });
    } else if (path === '/v1/auth/whoami' && method === 'GET') {
      sendJson(res, 200, { principal: caller.principal, downstream: downstreamIdentity(caller.principal) });
    } else if (path === '/v1/tokens' && method === 'POST') {
      const body = await readJsonBody(req);
      const { token, info } = await this.#o.admin.createApiToken(caller.principal, {
        description: stringField(body, 'description', false),
        ttlSeconds: optionalInteger(body, 'ttlSeconds'),
        session: caller.session,
      });
      sendJson(res, 201, { token, ...info });
    } else if (path === '/v1/tokens' && method === 'GET') {
      const all = url.searchParams.get('all') === '1';
      if (all) requireAdmin(caller.principal);
      sendJson(res, 200, { tokens: this.#o.tokens.list(all ? undefined : caller.principal.principalId) });
    } else if (path.startsWith('/v1/tokens/') && method === 'DELETE') {
      await this.#o.admin.revokeToken(caller.principal, path.slice('/v1/tokens/'.length));
      res.writeHead(204).end();
    } else if (path === '/v1/users' && method === 'POST') {
      const body = await readJsonBody(req);
      const username = String(body.username ?? '').slice(0, 64);
      const user = await this.#o.audit.audited(
        {
          principalId: caller.principal.principalId,
          principal: caller.principal.name,
          action: 'createUser',
          target: username,
          remote,
        },
        () => {
          requireAdmin(caller.principal);
          const groups = body.groups ?? [];
          if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string'))
            throw new GatewayError('BAD_USER_INPUT', 'groups must be a list of strings');
          return this.#o.users.create(
            stringField(body, 'username', true) as string,
            stringField(body, 'password', true) as string,
            body.isAdmin === true,
            groups as string[],
          );
        },
      );
      sendJson(res, 201, {
        user,
        principal: localPrincipal(user),
        downstream: downstreamIdentity(localPrincipal(user)),
      });
    } else if (path === '/v1/users' && method === 'GET') {
      requireAdmin(caller.principal);
      sendJson(res, 200, { users: this.#o.users.list() });
    } else if (path.startsWith('/v1/users/') && path.endsWith('/tokens') && method === 'DELETE') {
      const principalId = decodePathSegment(path.slice('/v1/users/'.length, -'/tokens'.length));
      sendJson(res, 200, { revoked: await this.#o.admin.revokeAllTokens(caller.principal, principalId) });
    } else if (path === '/v1/kubeconfig' && method === 'GET') {
      // A new token, like POST /v1/tokens: audited with its id, never its secret, and audited
      // as a failure when refused, a bad lifetime included.
      let tokenId: string | undefined;
      let token: string;
      try {
        const ttlText = url.searchParams.get('ttlSeconds');
        const ttlSeconds = ttlText === null ? KUBECONFIG_TTL_SECONDS : Number(ttlText);
        if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
          throw new GatewayError(
            'BAD_USER_INPUT',
            `ttlSeconds must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}`,
          );
        }
        const issued = await this.#issue(
          caller.principal,
          'kubeconfig',
          'kubeconfig',
          ttlSeconds,
          caller.session,
        );
        ({ token } = issued);
        tokenId = issued.info.tokenId;
      } finally {
        this.#o.audit.action({
          principalId: caller.principal.principalId,
          principal: caller.principal.name,
          action: 'createKubeconfig',
          target: tokenId,
          outcome: tokenId ? 'success' : 'failure',
          remote,
        });
      }
      const kubeconfig = renderGatewayKubeconfig({
        gatewayUrl: this.#o.publicUrl(),
        caPem: this.#o.caPem,
        clusters: this.#o.registry.list(),
        userName: caller.principal.name,
        token,
      });
      res.writeHead(200, { 'content-type': 'application/yaml', 'cache-control': 'no-store' }).end(kubeconfig);
    } else {
      throw new GatewayError('NOT_FOUND', `no route ${method} ${path}`);
    }
    return true;
  }

  #requireSessions(): OidcSessions {
    if (!this.#o.sessions) throw new GatewayError('NOT_FOUND', 'OIDC sign-in is not configured');
    return this.#o.sessions;
  }

  #requireOidc(): OidcProvider {
    if (!this.#o.oidc) throw new GatewayError('NOT_FOUND', 'OIDC sign-in is not configured');
    return this.#o.oidc;
  }
}
