import type { IncomingMessage } from 'node:http';
import type { SignInSession } from '../auth/api-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { localPrincipal } from '../auth/local-users.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';

/** The caller of a gateway API request, with the token they used, if any. */
export interface Caller {
  readonly principal: Principal;
  readonly tokenId?: string;
  /** The OIDC sign-in the caller's token belongs to: tokens they make live no longer. */
  readonly session?: SignInSession;
}

/**
 * Authenticates an API request: a bearer token (the gateway's or the OpenID provider's),
 * or HTTP Basic with a local user's password (for scripts and the first sign-in), limited
 * as every password sign-in is.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  authenticator: Authenticator,
  passwords: PasswordSignIn,
): Promise<Caller> {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    return { principal: localPrincipal(await passwords.basic(header, req.socket.remoteAddress)) };
  }
  const auth = await authenticator.authenticate(header || undefined);
  if (!auth.ok) throw new GatewayError('UNAUTHENTICATED', auth.reason);
  return { principal: auth.principal, tokenId: auth.tokenId, session: auth.session };
}
