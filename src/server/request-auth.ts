import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticator.ts';
import { type LocalUsers, localPrincipal } from '../auth/local-users.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';

const MAX_BASIC_CHARS = 2048;

/** The caller of a gateway API request, with the token they used, if any. */
export interface Caller {
  readonly principal: Principal;
  readonly tokenId?: string;
}

/**
 * Authenticates an API request: a bearer token (the gateway's or the OpenID provider's),
 * or HTTP Basic with a local user's password (for scripts and the first sign-in).
 */
export async function authenticateRequest(
  req: IncomingMessage,
  authenticator: Authenticator,
  users: LocalUsers,
): Promise<Caller> {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    if (header.length > MAX_BASIC_CHARS)
      throw new GatewayError('UNAUTHENTICATED', 'authorization header too long');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user =
      colon > 0 ? await users.verify(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
    if (!user) throw new GatewayError('UNAUTHENTICATED', 'wrong user name or password');
    return { principal: localPrincipal(user) };
  }
  const auth = await authenticator.authenticate(header || undefined);
  if (!auth.ok) throw new GatewayError('UNAUTHENTICATED', auth.reason);
  return { principal: auth.principal, tokenId: auth.tokenId };
}
