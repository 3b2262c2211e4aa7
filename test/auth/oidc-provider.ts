// A real OpenID provider (oidc-provider) on loopback, and a browser that signs in with it.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { gatewayRequest } from '../harness/gateway-http.ts';

/** A person of the provider; tests change them to see the gateway follow. */
export interface ProviderPerson {
  email: string;
  emailVerified?: boolean;
  groups: string[];
}

/** Starts the provider at http://127.0.0.1:<port> with one public client, `fleetgate`. */
export function startOidcProvider(options: {
  readonly port: number;
  readonly redirectUris: readonly string[];
  /** Read at every sign-in and refresh: changing it changes what the provider says. */
  readonly people: Record<string, ProviderPerson>;
  /** The private JWK the provider signs with and publishes (its own development key otherwise). */
  readonly signingKey?: Record<string, unknown>;
}): { readonly issuer: string; readonly server: Server } {
  const issuer = `http://127.0.0.1:${options.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'fleetgate',
        token_endpoint_auth_method: 'none',
        redirect_uris: [...options.redirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
    // Refresh tokens without offline_access and prompt=consent, as many providers do.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Put the requested claims in the ID token, as Kubernetes-style consumers expect.
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key'] },
    ...(options.signingKey ? { jwks: { keys: [options.signingKey] } } : {}),
    findAccount: (_ctx: unknown, accountId: string) => {
      const person = options.people[accountId];
      if (!person) return undefined;
      return {
        accountId,
        claims: () => ({
          sub: accountId,
          email: person.email,
          email_verified: person.emailVerified ?? true,
          groups: person.groups,
        }),
      };
    },
  });
  return { issuer, server: provider.listen(options.port, '127.0.0.1') };
}

/**
 * Plays the browser from `startUrl`: follows redirects, keeps the provider's cookies, fills
 * in its dev login and consent forms; answers the first gateway answer that is not a
 * redirect. `gatewayCa` names the CA of each gateway origin the browser may meet.
 */
export async function browserSignIn(options: {
  readonly startUrl: string;
  readonly accountId: string;
  readonly gatewayCa: Readonly<Record<string, string | undefined>>;
}): Promise<{ status: number; text: string; callbackUrl: string | undefined }> {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  let next: { url: string; method: string; body?: string } = { url: options.startUrl, method: 'GET' };
  let callbackUrl: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const origin = new URL(next.url).origin;
    if (origin in options.gatewayCa) {
      if (next.url.includes('/v1/auth/oidc/callback')) callbackUrl = next.url;
      const answer = await gatewayRequest(next.url, { caPem: options.gatewayCa[origin] });
      if (answer.status === 302) {
        next = { url: new URL(answer.headers.location as string, next.url).href, method: 'GET' };
        continue;
      }
      return { status: answer.status, text: answer.text, callbackUrl };
    }
    const res = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: next.body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      cookies.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      next = { url: new URL(res.headers.get('location') as string, next.url).href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `no form in:\n${html.slice(0, 500)}`);
    const fields: Record<string, string> =
      prompt === 'login' ? { prompt, login: options.accountId, password: 'any' } : { prompt };
    next = {
      url: new URL(action, next.url).href,
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
    };
  }
  throw new Error('sign-in did not finish within 20 redirects');
}
